// cyzen for the page: "Sign in with cyzen" (the OAuth code flow handled here, server-side, as a
// confidential client), tokens in KV per session, and the proxy the page's
// `new CyzenClient({ baseUrl: "/cyzen", auth: { proxy: true } })` talks to.
//
//   GET  /cyzen/login     → 302 to cyzen's consent page (state + PKCE in a signed cookie)
//   GET  /cyzen/callback  → code exchanged, tokens stored under the session → back to the page
//   POST /cyzen/logout    → the session's tokens deleted
//   GET  /cyzen/session   → { configured, signedIn, expiresAt }
//   *    /cyzen/<path>    → createCyzenProxy (token and company_id added; refreshed when needed)
import { CyzenOAuth, createCyzenProxy } from "cyzen-senselink";
import { callerCheck, cookieAttributes, readCookie, sessionOf, sessionSecret, signSession, verifySession } from "./session.js";

/** KV key naming the session whose tokens the scheduled sync uses (the latest sign-in). */
export const SYNC_SESSION_KEY = "cyzen:sync-session";
const TOKEN_TTL_S = 30 * 86400;
const json = (value, status = 200) => Response.json(value, { status, headers: { "cache-control": "no-store" } });

/** The TokenStore of CyzenOAuth over a KV namespace. */
export function kvStore(kv) {
  return {
    load: (key) => kv.get(key),
    save: (key, value) => (value === null ? kv.delete(key) : kv.put(key, value, { expirationTtl: TOKEN_TTL_S })),
  };
}

export function cyzenConfigured(env) {
  return Boolean(env.CYZEN_AUTHORIZE_URL && env.CYZEN_TOKEN_URL && env.CYZEN_CLIENT_ID && env.CYZEN_COMPANY_ID);
}

// One CyzenOAuth per session and isolate: concurrent requests of a session then share one
// refresh (the library's single-flight refresh is per object; across isolates, KV is re-read).
const oauths = new Map();

/** The CyzenOAuth of a session (tokens under `cyzen:<session>` in KV). */
export function oauthFor(env, sessionId, origin) {
  const redirectUri = env.CYZEN_REDIRECT_URI || `${origin ?? "http://localhost"}/cyzen/callback`;
  const cacheKey = `${sessionId} ${redirectUri}`;
  const cached = oauths.get(cacheKey);
  if (cached) return cached;
  const oauth = new CyzenOAuth({
    authorizeUrl: env.CYZEN_AUTHORIZE_URL,
    tokenUrl: env.CYZEN_TOKEN_URL,
    clientId: env.CYZEN_CLIENT_ID,
    clientSecret: env.CYZEN_CLIENT_SECRET || undefined,
    redirectUri,
    scope: env.CYZEN_SCOPE || undefined,
    appToken: env.CYZEN_APP_TOKEN || undefined,
    appTokenHeader: env.CYZEN_APP_TOKEN ? env.CYZEN_APP_TOKEN_HEADER : undefined,
    store: kvStore(env.KV),
    storeKey: `cyzen:${sessionId}`,
    // The pending authorization travels in a signed cookie: nothing to write to KV at login, and
    // the callback works in whichever isolate (or location) it lands.
    cookieSecret: sessionSecret(env),
  });
  if (oauths.size >= 200) oauths.delete(oauths.keys().next().value);
  oauths.set(cacheKey, oauth);
  return oauth;
}

function forget(sessionId) {
  for (const key of [...oauths.keys()]) if (key.startsWith(`${sessionId} `)) oauths.delete(key);
}

/** An HTML page that sends the browser on to `target`: a navigation started by our own page, so
 * the SameSite=Strict session cookie is sent again (it is not on the redirect from cyzen's site). */
function bounce(target) {
  const safe = target.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  return new Response(
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${safe}"><link rel="icon" href="data:,">` +
      `<title>cyzen</title><p><a href="${safe}">Continue</a></p>`,
    { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } },
  );
}

let proxy;

/** The cyzen routes; `null` when the path is not one of them. */
export async function handleCyzen(request, env) {
  const url = new URL(request.url);
  const route = url.pathname.slice("/cyzen/".length);
  const clear = (name, path) => `${name}=; ${cookieAttributes(request, `Path=${path}; Max-Age=0; SameSite=Lax`)}`;

  if (route === "session") {
    if (!cyzenConfigured(env)) return json({ configured: false, signedIn: false });
    const sessionId = (await callerCheck(request, env)) ? await sessionOf(request, env) : null;
    if (sessionId === null) return json({ configured: true, signedIn: false });
    const tokens = await oauthFor(env, sessionId, url.origin).getTokens();
    return json({ configured: true, signedIn: tokens !== null, expiresAt: tokens?.expiresAt ?? null });
  }

  if (route === "login") {
    if (!cyzenConfigured(env)) return json({ error: "cyzen is not configured on this Worker" }, 503);
    const sessionId = await sessionOf(request, env);
    if (sessionId === null) return Response.redirect(`${url.origin}/`, 302); // the page issues a session first
    const { url: authorizeUrl, cookie } = await oauthFor(env, sessionId, url.origin).authorizationUrl();
    const headers = new Headers({ location: authorizeUrl, "cache-control": "no-store" });
    // Both cookies are SameSite=Lax: they must come back on the redirect from cyzen's site.
    const lax = cookieAttributes(request, "Path=/cyzen/callback; Max-Age=600; SameSite=Lax");
    headers.append("set-cookie", `cyzen_pkce=${cookie}; ${lax}`);
    headers.append("set-cookie", `cyzen_login=${await signSession(env, sessionId)}; ${lax}`);
    return new Response(null, { status: 302, headers });
  }

  if (route === "callback") {
    const sessionId = await verifySession(env, readCookie(request, "cyzen_login"));
    let target = "/#cyzen";
    if (sessionId === null) {
      target = "/?cyzen_error=OAUTH_STATE#cyzen";
    } else {
      try {
        await oauthFor(env, sessionId, url.origin).handleCallback(request.url, { cookie: readCookie(request, "cyzen_pkce") ?? undefined });
        await env.KV.put(SYNC_SESSION_KEY, sessionId);
      } catch (error) {
        target = `/?cyzen_error=${encodeURIComponent(error?.code ?? "OAUTH_ERROR")}#cyzen`;
      }
    }
    const response = bounce(target);
    response.headers.append("set-cookie", clear("cyzen_pkce", "/cyzen/callback"));
    response.headers.append("set-cookie", clear("cyzen_login", "/cyzen/callback"));
    return response;
  }

  if (route === "logout") {
    if (request.method !== "POST") return json({ error: "POST only" }, 405);
    if (!(await callerCheck(request, env))) return json({ error: "no session" }, 401);
    const sessionId = await sessionOf(request, env);
    if (cyzenConfigured(env)) await oauthFor(env, sessionId, url.origin).setTokens(null);
    if ((await env.KV.get(SYNC_SESSION_KEY)) === sessionId) await env.KV.delete(SYNC_SESSION_KEY);
    forget(sessionId);
    return json({ configured: cyzenConfigured(env), signedIn: false });
  }

  if (!cyzenConfigured(env)) {
    return Response.json({ errors: [{ err_code: 50300, err_msg: "cyzen is not configured on this Worker" }] }, { status: 503 });
  }
  proxy ??= createCyzenProxy({
    baseUrl: env.CYZEN_BASE_URL || undefined,
    companyId: env.CYZEN_COMPANY_ID,
    // The caller's session tokens (a CyzenOAuth without tokens answers 401 "sign in first").
    auth: async (req) => {
      const sessionId = await sessionOf(req, env);
      return sessionId === null ? null : oauthFor(env, sessionId, new URL(req.url).origin);
    },
    authorize: (req) => callerCheck(req, env),
    timeoutMs: 30_000,
  });
  return proxy(request);
}
