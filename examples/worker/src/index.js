// The admin page's Worker: one origin serves the page (static assets), the SenseLink signing proxy,
// the cyzen sign-in and proxy, the SenseLink push-event receiver and a scheduled cyzen sync.
//
//   POST /senselink/events              push-event receiver (events.js; its own key, no caller check)
//   everything else needs an authenticated caller first (auth.js: Cloudflare Access, or the
//   loopback-only local demo; otherwise 503 "not configured"):
//   GET  /                             the page (sets the session cookie; see session.js); its
//                                      scripts, styles and the package are static assets
//   GET  /app/config                    what the page needs to know (edition, what is configured)
//   *    /senselink/api/…               createSenseLinkProxy (signs; caller check)
//   GET  /events/recent                 recent events for the page
//   *    /cyzen/…                       sign-in, session, proxy (cyzen.js → cyzen-session.js)
//   GET  /sync/last                     summary of the last scheduled report sync (sync.js)
//   scheduled()                         the report sync
//
// Every answer carries the security headers (CSP, HSTS, nosniff, Referrer-Policy, no framing);
// an unexpected error answers 500 with a request id only (the detail goes to the log).
import { createSenseLinkProxy } from "cyzen-senselink/server";
import { authMode, authenticate } from "./auth.js";
import { cyzenConfigured, handleCyzen } from "./cyzen.js";
import { receiveEvent, recentEvents } from "./events.js";
import { callerCheck, newSession, publicOrigins, sessionOf } from "./session.js";
import { lastSync, syncReports } from "./sync.js";

export { CyzenSession } from "./cyzen-session.js";

const json = (value, status = 200) => Response.json(value, { status, headers: { "cache-control": "no-store" } });

let senselinkProxy;

function senselink(env) {
  senselinkProxy ??= createSenseLinkProxy({
    baseUrl: env.SENSELINK_BASE_URL,
    appKey: env.SENSELINK_APP_KEY,
    appSecret: env.SENSELINK_APP_SECRET,
    authorize: (request) => callerCheck(request, env),
    origin: publicOrigins(env),
    timeoutMs: 30_000,
  });
  return senselinkProxy;
}

// ------------------------------------------------------------------------------------------------
// Security headers

const encoder = new TextEncoder();
const hashCache = new Map();

/** `'sha256-…'` sources for the inline scripts of our own page (its import map): CSP allows exactly
 * those, and no other inline script. */
async function inlineScriptHashes(html) {
  const sources = [];
  for (const [, body] of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    let hash = hashCache.get(body);
    if (hash === undefined) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(body)));
      hash = `'sha256-${btoa(String.fromCharCode(...digest))}'`;
      if (hashCache.size < 20) hashCache.set(body, hash);
    }
    sources.push(hash);
  }
  return sources;
}

/** Where person photos come from (SENSELINK_AVATAR_URL's origin), for img-src. */
function avatarOrigin(env) {
  try {
    return env.SENSELINK_AVATAR_URL ? new URL(env.SENSELINK_AVATAR_URL.replace("{avatar}", "x")).origin : null;
  } catch {
    return null;
  }
}

function pagePolicy(env, scriptHashes) {
  return [
    "default-src 'none'",
    // 'wasm-unsafe-eval' lets the page compile the package's .wasm; it allows no JavaScript eval.
    `script-src 'self' 'wasm-unsafe-eval' ${scriptHashes.join(" ")}`.trim(),
    "style-src 'self'",
    `img-src 'self' data: blob:${avatarOrigin(env) ? ` ${avatarOrigin(env)}` : ""}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The answer with the security headers every answer of this Worker carries. */
async function secured(response, env) {
  const type = response.headers.get("content-type") ?? "";
  let body = response.body;
  let csp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
  if (type.startsWith("text/html")) {
    const html = await response.text();
    body = html;
    csp = pagePolicy(env, await inlineScriptHashes(html));
  }
  const secure = new Response(body, response);
  const headers = secure.headers;
  headers.set("content-security-policy", csp);
  headers.set("strict-transport-security", "max-age=31536000; includeSubDomains");
  headers.set("x-content-type-options", "nosniff");
  headers.set("referrer-policy", "same-origin");
  headers.set("x-frame-options", "DENY");
  headers.set("cross-origin-opener-policy", "same-origin");
  if (type.startsWith("text/html") || type.includes("json")) headers.set("cache-control", "no-store");
  return secure;
}

// ------------------------------------------------------------------------------------------------
// Routes

/** The page and its files; the page sets a session cookie (bound to the caller) when it has none. */
async function assets(request, env) {
  const { pathname } = new URL(request.url);
  let assetRequest = request;
  if (pathname === "/" || pathname.endsWith(".html")) {
    // The page is always sent whole: its CSP names the hash of its import map, which a 304 (the
    // browser's cached copy under a fresh header) could not be checked against.
    assetRequest = new Request(request);
    assetRequest.headers.delete("if-none-match");
    assetRequest.headers.delete("if-modified-since");
  }
  const response = await env.ASSETS.fetch(assetRequest);
  if (!(response.headers.get("content-type") ?? "").startsWith("text/html")) return response;
  const answer = new Response(response.body, response);
  if ((await sessionOf(request, env)) === null) answer.headers.append("set-cookie", (await newSession(request, env)).setCookie);
  return answer;
}

const NOT_CONFIGURED_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Not configured</title><h1>This Worker is not configured</h1>
<p>It answers only once its caller check is set up: Cloudflare Access (<code>ACCESS_TEAM_DOMAIN</code> and
<code>ACCESS_AUD</code>), or, for the local demo on 127.0.0.1 only, <code>DEMO_INSECURE_LOCAL=1</code>.
See examples/worker/README.md.</p></html>`;

function refusal(request, { status, error }) {
  if (status === 503 && error === "not configured" && (request.headers.get("accept") ?? "").includes("text/html")) {
    return new Response(NOT_CONFIGURED_PAGE, { status, headers: { "content-type": "text/html; charset=utf-8" } });
  }
  return json({ error }, status);
}

async function route(request, env, ctx) {
  const { pathname } = new URL(request.url);
  if (pathname === "/senselink/events") {
    // Its own key, no caller; closed like everything else while the Worker is not configured.
    return authMode(request, env) === "unconfigured" ? refusal(request, { status: 503, error: "not configured" }) : receiveEvent(request, env, ctx);
  }
  const caller = await authenticate(request, env);
  if (caller.status) return refusal(request, caller);
  if (pathname.startsWith("/senselink/")) {
    if (!env.SENSELINK_APP_SECRET) return json({ code: 503, message: "Service Unavailable", desc: "SenseLink is not configured on this Worker" }, 503);
    return senselink(env)(request);
  }
  if (pathname.startsWith("/cyzen/")) return handleCyzen(request, env);
  if (pathname === "/app/config") {
    return json({
      senselink: {
        configured: Boolean(env.SENSELINK_APP_SECRET),
        edition: env.SENSELINK_EDITION || "cloud",
        // Where person photos can be shown from (`{avatar}` is replaced), when the deployment has such a link.
        avatarUrl: env.SENSELINK_AVATAR_URL || null,
      },
      cyzen: { configured: cyzenConfigured(env) },
      session: await callerCheck(request, env),
    });
  }
  if (pathname === "/events/recent") {
    if (!(await callerCheck(request, env))) return json({ error: "no session" }, 401);
    return json({ events: await recentEvents(env) });
  }
  if (pathname === "/sync/last") {
    if (!(await callerCheck(request, env))) return json({ error: "no session" }, 401);
    return json({ sync: await lastSync(env) });
  }
  return assets(request, env);
}

export default {
  async fetch(request, env, ctx) {
    let response;
    try {
      response = await route(request, env, ctx);
    } catch (error) {
      const requestId = crypto.randomUUID();
      console.error(`unhandled [${requestId}]`, error?.stack ?? error);
      response = json({ error: "internal error", requestId }, 500);
    }
    return secured(response, env);
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(syncReports(env, controller.scheduledTime).catch((error) => console.error("scheduled sync failed", error?.stack ?? error)));
  },
};
