// The scheduled handler: every run walks the cyzen reports updated in the last 7 days with the
// paced iterator (5 calls per second at most, cursors echoed, retried on 503) and keeps a summary
// in KV, which the page shows. A real integration would write the reports to its own store here.
//
// Credentials: CYZEN_STATIC_TOKEN when set (server-to-server), else the OAuth tokens of the
// session that signed in last (refreshed and rotated through the same KV entry as the page's).
import { CyzenClient } from "cyzen-senselink";
import { SYNC_SESSION_KEY, cyzenConfigured, oauthFor } from "./cyzen.js";

export const LAST_SYNC_KEY = "sync:last";
const WEEK_MS = 7 * 86400 * 1000;

async function syncAuth(env) {
  if (env.CYZEN_STATIC_TOKEN) return { auth: { staticToken: env.CYZEN_STATIC_TOKEN }, source: "static token" };
  if (!cyzenConfigured(env)) return null;
  const sessionId = await env.KV.get(SYNC_SESSION_KEY);
  if (!sessionId) return null;
  const oauth = oauthFor(env, sessionId);
  return (await oauth.getTokens()) ? { auth: oauth, source: "OAuth (latest sign-in)" } : null;
}

export async function syncReports(env, scheduledTime = Date.now()) {
  const to = new Date(scheduledTime);
  const from = new Date(scheduledTime - WEEK_MS);
  const summary = { at: Date.now(), scheduledTime, from: from.toISOString(), to: to.toISOString() };
  try {
    const credentials = await syncAuth(env);
    if (!credentials || !env.CYZEN_COMPANY_ID) {
      summary.ok = false;
      summary.error = "no cyzen credentials: set CYZEN_STATIC_TOKEN, or sign in with cyzen on the page";
    } else {
      const client = new CyzenClient({ baseUrl: env.CYZEN_BASE_URL || undefined, companyId: env.CYZEN_COMPANY_ID, auth: credentials.auth });
      let pages = 0;
      let reports = 0;
      let latest = null;
      const byDefinition = {};
      for await (const page of client.reports.list({ updated_from: from, updated_to: to }).pages()) {
        pages += 1;
        for (const report of page.items) {
          reports += 1;
          const definition = String(report.report_definition_id ?? "?");
          byDefinition[definition] = (byDefinition[definition] ?? 0) + 1;
          if (typeof report.updated_at === "string" && (latest === null || report.updated_at > latest)) latest = report.updated_at;
        }
      }
      Object.assign(summary, { ok: true, source: credentials.source, pages, reports, byDefinition, latestUpdatedAt: latest });
    }
  } catch (error) {
    Object.assign(summary, { ok: false, error: error?.message ?? String(error), code: error?.code ?? null });
  }
  summary.finishedAt = Date.now();
  await env.KV.put(LAST_SYNC_KEY, JSON.stringify(summary));
  return summary;
}

export async function lastSync(env) {
  return JSON.parse((await env.KV.get(LAST_SYNC_KEY)) ?? "null");
}
