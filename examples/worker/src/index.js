// The admin page's Worker: one origin serves the page (static assets), the SenseLink signing proxy,
// the cyzen sign-in and proxy, the SenseLink push-event receiver and a scheduled cyzen sync.
//
//   GET  /                             the page (sets the session cookie; see session.js); its
//                                      scripts, styles and the package are plain static assets
//   GET  /app/config                    what the page needs to know (edition, what is configured)
//   *    /senselink/api/…               createSenseLinkProxy (signs; caller check)
//   POST /senselink/events              push-event receiver (events.js)
//   GET  /events/recent                 recent events for the page
//   *    /cyzen/…                       sign-in, session, proxy (cyzen.js)
//   GET  /sync/last                     summary of the last scheduled report sync (sync.js)
//   scheduled()                         the report sync
import { createSenseLinkProxy } from "cyzen-senselink";
import { cyzenConfigured, handleCyzen } from "./cyzen.js";
import { receiveEvent, recentEvents } from "./events.js";
import { callerCheck, newSession, sessionOf } from "./session.js";
import { lastSync, syncReports } from "./sync.js";

const json = (value, status = 200) => Response.json(value, { status, headers: { "cache-control": "no-store" } });

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

let senselinkProxy;

function senselink(env) {
  senselinkProxy ??= createSenseLinkProxy({
    baseUrl: env.SENSELINK_BASE_URL,
    appKey: env.SENSELINK_APP_KEY,
    appSecret: env.SENSELINK_APP_SECRET,
    authorize: (request) => callerCheck(request, env),
    timeoutMs: 30_000,
  });
  return senselinkProxy;
}

/** The page and its files; HTML answers carry a session cookie when the browser has none. */
async function assets(request, env) {
  const response = await env.ASSETS.fetch(request);
  if (!(response.headers.get("content-type") ?? "").startsWith("text/html")) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  headers.set("cache-control", "no-store");
  if ((await sessionOf(request, env)) === null) headers.append("set-cookie", (await newSession(request, env)).setCookie);
  return new Response(response.body, { status: response.status, headers });
}

async function route(request, env, ctx) {
  const { pathname } = new URL(request.url);
  if (pathname === "/senselink/events") return receiveEvent(request, env, ctx);
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
    try {
      return await route(request, env, ctx);
    } catch (error) {
      console.error("unhandled", error?.stack ?? error);
      return json({ error: "internal error", detail: String(error?.message ?? error) }, 500);
    }
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(syncReports(env, controller.scheduledTime));
  },
};
