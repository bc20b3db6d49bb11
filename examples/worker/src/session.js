// The browser session: an HMAC-signed, HttpOnly, SameSite=Strict cookie, set on the page only after
// the caller has been authenticated (auth.js), and bound to that caller: its MAC covers the
// caller's subject (the Access user id), so the cookie is worth nothing with another identity or
// without one. It keys the caller's cyzen tokens; it is not the authentication itself.

import { callerOf } from "./auth.js";

const COOKIE = "sid";
/** How long a session lasts (the cookie, and the cyzen tokens stored for it). */
export const SESSION_LIFETIME_S = 8 * 3600;
const encoder = new TextEncoder();
let keyCache = null;

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** `SESSION_SECRET` (at least 32 characters; also the OAuth PKCE cookie secret). */
export function sessionSecret(env) {
  const secret = env.SESSION_SECRET ?? "";
  if (secret.length < 32) {
    throw new Error("SESSION_SECRET is missing or shorter than 32 characters (wrangler secret put SESSION_SECRET)");
  }
  return secret;
}

async function hmacKey(env) {
  const secret = sessionSecret(env);
  if (keyCache?.secret !== secret) {
    const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keyCache = { secret, key };
  }
  return keyCache.key;
}

async function mac(env, text) {
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(env), encoder.encode(text))));
}

/**
 * Whether two secrets are equal, in time independent of where they differ and of their lengths:
 * both are hashed first, and the digests are compared with workerd's `timingSafeEqual`.
 */
export async function sameSecret(given, expected) {
  const [a, b] = await Promise.all([given, expected].map((text) => crypto.subtle.digest("SHA-256", encoder.encode(String(text)))));
  if (typeof crypto.subtle.timingSafeEqual === "function") return crypto.subtle.timingSafeEqual(a, b);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/** Reads one cookie of a request. */
export function readCookie(request, name) {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return null;
}

/** A signed value `id.expires.mac` for a session id, bound to `subject`; `expires` in Unix seconds. */
export async function signSession(env, id, subject, expires) {
  const value = `${id}.${expires}`;
  return `${value}.${await mac(env, `${value}.${subject}`)}`;
}

/** `{ id, expires }` of a signed value, or null when it is forged, malformed, expired or bound to another subject. */
export async function verifySession(env, signed, subject) {
  const match = /^([0-9a-f]{32})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(signed ?? "");
  if (!match || typeof subject !== "string") return null;
  const [, id, expires, given] = match;
  if (Number(expires) * 1000 < Date.now()) return null;
  return (await sameSecret(given, await mac(env, `${id}.${expires}.${subject}`))) ? { id, expires: Number(expires) } : null;
}

/** The request's session `{ id, expires }` (a valid cookie of the authenticated caller), or null. */
export function sessionOf(request, env) {
  return verifySession(env, readCookie(request, COOKIE), callerOf(request)?.subject);
}

/** `Set-Cookie` attributes: `Secure` whenever the page is served over https. */
export function cookieAttributes(request, extra) {
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return `${extra}; HttpOnly${secure}`;
}

/** A new session of the authenticated caller: its id and the `Set-Cookie` value. */
export async function newSession(request, env) {
  const caller = callerOf(request);
  if (!caller) throw new Error("newSession: the request has no authenticated caller");
  const id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const value = await signSession(env, id, caller.subject, Math.floor(Date.now() / 1000) + SESSION_LIFETIME_S);
  return { id, setCookie: `${COOKIE}=${value}; ${cookieAttributes(request, `Path=/; Max-Age=${SESSION_LIFETIME_S}; SameSite=Strict`)}` };
}

/**
 * The caller check of the proxies and the data routes (`authorize`): an authenticated caller
 * (auth.js ran first), a valid session cookie bound to it, and a same-origin request (`Origin`,
 * when sent, is this origin; `Sec-Fetch-Site`, when sent, says same-origin). A request with none of
 * them (`curl`) has no cookie bound to an authenticated caller, and is refused.
 */
export async function callerCheck(request, env) {
  if ((await sessionOf(request, env)) === null) return false;
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== new URL(request.url).origin) return false;
  const site = request.headers.get("sec-fetch-site");
  return site === null || site === "same-origin";
}

/** PUBLIC_ORIGIN as the proxies' `origin` (unset: browsers on 127.0.0.1 and localhost only, as in `make demo`). */
export function publicOrigins(env) {
  const origins = (env.PUBLIC_ORIGIN ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  return origins.length > 0 ? origins : undefined;
}
