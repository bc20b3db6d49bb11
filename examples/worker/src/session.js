// The "simple caller check": an HMAC-signed, HttpOnly, SameSite=Strict session cookie set when the
// page loads. The proxies accept only same-origin requests carrying a valid one, so only this
// page (in a browser that loaded it) can use the Worker's SenseLink secret and cyzen tokens.
//
// It proves "this browser loaded our page", not who the person is. A real deployment puts the
// Worker behind an identity check, e.g. Cloudflare Access (then `authorize` checks the
// `Cf-Access-Jwt-Assertion` header), and keeps this cookie only to key per-user state.

const COOKIE = "sid";
const LIFETIME_S = 8 * 3600;
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

/** Reads one cookie of a request. */
export function readCookie(request, name) {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return null;
}

/** A signed value `id.expires.mac` for a session id. */
export async function signSession(env, id, nowMs = Date.now()) {
  const value = `${id}.${Math.floor(nowMs / 1000) + LIFETIME_S}`;
  return `${value}.${await mac(env, value)}`;
}

/** The session id in a signed value, or null when it is forged, malformed or expired. */
export async function verifySession(env, signed) {
  const match = /^([0-9a-f]{32})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(signed ?? "");
  if (!match) return null;
  const [, id, expires, given] = match;
  if (Number(expires) * 1000 < Date.now()) return null;
  const expected = await mac(env, `${id}.${expires}`);
  // Constant-time comparison of two equal-length strings.
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0 ? id : null;
}

/** The request's session id, or null. */
export function sessionOf(request, env) {
  return verifySession(env, readCookie(request, COOKIE));
}

/** `Set-Cookie` attributes: `Secure` whenever the page is served over https. */
export function cookieAttributes(request, extra) {
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return `${extra}; HttpOnly${secure}`;
}

/** A new session: its id and the `Set-Cookie` value. */
export async function newSession(request, env) {
  const id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const value = await signSession(env, id);
  return { id, setCookie: `${COOKIE}=${value}; ${cookieAttributes(request, `Path=/; Max-Age=${LIFETIME_S}; SameSite=Strict`)}` };
}

/**
 * The caller check of both proxies (`authorize`): a valid session cookie, and a same-origin
 * request (`Origin`, when the browser sends it, is this origin; `Sec-Fetch-Site`, when sent, says
 * same-origin). SameSite=Strict already keeps the cookie off cross-site requests; the header
 * checks refuse what a browser would not send on its own.
 */
export async function callerCheck(request, env) {
  if ((await sessionOf(request, env)) === null) return false;
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== new URL(request.url).origin) return false;
  const site = request.headers.get("sec-fetch-site");
  return site === null || site === "same-origin";
}
