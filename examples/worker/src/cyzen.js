// cyzen for the page: "Sign in with cyzen" (the OAuth code flow, server-side, as a confidential
// client) and the proxy the page's `new CyzenClient({ baseUrl: "/cyzen", auth: { proxy: true } })`
// talks to. The tokens and the CyzenOAuth of each browser session live in that session's Durable
// Object (cyzen-session.js); this module checks the caller and hands the work over.
//
//   GET  /cyzen/login     → 302 to cyzen's consent page (state + PKCE in a signed cookie)
//   GET  /cyzen/callback  → code exchanged, tokens stored in the session's object → back to the page
//   POST /cyzen/logout    → the session's tokens deleted
//   GET  /cyzen/session   → { configured, signedIn, expiresAt }
//   *    /cyzen/<path>    → the session's object runs createCyzenProxy (token and company_id added)
import { durableObjectCoordinator } from "cyzen-senselink/server";
import { callerOf } from "./auth.js";
import { callerCheck, cookieAttributes, readCookie, sessionOf, signSession, verifySession } from "./session.js";

/** KV key naming the session whose tokens the scheduled sync uses (the latest sign-in). */
export const SYNC_SESSION_KEY = "cyzen:sync-session";
/** KV refuses expirationTtl below 60 s. */
const KV_MIN_TTL_S = 60;
const json = (value, status = 200) => Response.json(value, { status, headers: { "cache-control": "no-store" } });

export function cyzenConfigured(env) {
  return Boolean(env.CYZEN_AUTHORIZE_URL && env.CYZEN_TOKEN_URL && env.CYZEN_CLIENT_ID && env.CYZEN_COMPANY_ID && env.CYZEN_SESSIONS);
}

/** The Durable Object of a session (its tokens and its one CyzenOAuth). */
export function sessionStub(env, sessionId) {
  return env.CYZEN_SESSIONS.get(env.CYZEN_SESSIONS.idFromName(sessionId));
}

/**
 * The coordinator of one cyzen token (`"static-token"`, or a session's): every isolate's calls with
 * that token are paced together (cyzen allows 5/s per token) and refresh once. The object is a
 * CyzenSession named `coordinator:<name>`, which serves the package's CyzenTokenCoordinator
 * protocol (see cyzen-session.js): the example needs no second Durable Object class.
 */
export function tokenCoordinator(env, name) {
  return env.CYZEN_SESSIONS ? durableObjectCoordinator(env.CYZEN_SESSIONS, { name: `coordinator:${name}` }) : undefined;
}

/** The clients' `onFallback`: the coordinator object could not be reached, so a call paced (or
 * refreshed) on its own. Worth an alert when it persists. */
export function logFallback(event) {
  console.warn(`cyzen pacing fell back to the local share (${event.operation}, ${event.what}): ${event.reason}`);
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

/** The cyzen routes (the caller is authenticated: see auth.js). */
export async function handleCyzen(request, env) {
  const url = new URL(request.url);
  const route = url.pathname.slice("/cyzen/".length);
  const redirectUri = env.CYZEN_REDIRECT_URI || `${url.origin}/cyzen/callback`;
  const clear = (name, path) => `${name}=; ${cookieAttributes(request, `Path=${path}; Max-Age=0; SameSite=Lax`)}`;

  if (route === "session") {
    if (!cyzenConfigured(env)) return json({ configured: false, signedIn: false });
    const session = (await callerCheck(request, env)) ? await sessionOf(request, env) : null;
    if (session === null) return json({ configured: true, signedIn: false });
    return json({ configured: true, ...(await sessionStub(env, session.id).status()) });
  }

  if (route === "login") {
    if (!cyzenConfigured(env)) return json({ error: "cyzen is not configured on this Worker" }, 503);
    const session = await sessionOf(request, env);
    if (session === null) return Response.redirect(`${url.origin}/`, 302); // the page issues a session first
    const { url: authorizeUrl, cookie } = await sessionStub(env, session.id).login(redirectUri);
    const headers = new Headers({ location: authorizeUrl, "cache-control": "no-store" });
    // Both cookies are SameSite=Lax: they must come back on the redirect from cyzen's site. The
    // login cookie names the session (and its end), bound to the caller like the session cookie.
    const lax = cookieAttributes(request, "Path=/cyzen/callback; Max-Age=600; SameSite=Lax");
    headers.append("set-cookie", `cyzen_pkce=${cookie}; ${lax}`);
    headers.append("set-cookie", `cyzen_login=${await signSession(env, session.id, callerOf(request).subject, session.expires)}; ${lax}`);
    return new Response(null, { status: 302, headers });
  }

  if (route === "callback") {
    const session = await verifySession(env, readCookie(request, "cyzen_login"), callerOf(request)?.subject);
    let target = "/#cyzen";
    if (session === null || !cyzenConfigured(env)) {
      target = "/?cyzen_error=OAUTH_STATE#cyzen";
    } else {
      const result = await sessionStub(env, session.id).callback(request.url, readCookie(request, "cyzen_pkce"), redirectUri, session.expires);
      if (result.ok) {
        // The sync uses the latest sign-in, for as long as that session lasts.
        const ttl = Math.max(KV_MIN_TTL_S, session.expires - Math.floor(Date.now() / 1000));
        await env.KV.put(SYNC_SESSION_KEY, session.id, { expirationTtl: ttl });
      } else {
        target = `/?cyzen_error=${encodeURIComponent(result.error)}#cyzen`;
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
    const { id } = await sessionOf(request, env);
    if (cyzenConfigured(env)) await sessionStub(env, id).logout();
    if ((await env.KV.get(SYNC_SESSION_KEY)) === id) await env.KV.delete(SYNC_SESSION_KEY);
    return json({ configured: cyzenConfigured(env), signedIn: false });
  }

  if (!cyzenConfigured(env)) {
    return Response.json({ errors: [{ err_code: 50300, err_msg: "cyzen is not configured on this Worker" }] }, { status: 503 });
  }
  // The caller check here, in the cyzen proxy's own refusal shape; the session's object runs the proxy.
  if (!(await callerCheck(request, env))) {
    return Response.json({ errors: [{ err_code: 40100, err_msg: "no session: load the page first" }] }, { status: 401 });
  }
  return sessionStub(env, (await sessionOf(request, env)).id).fetch(request);
}
