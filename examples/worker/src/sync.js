// The scheduled handler: every run walks the cyzen reports updated in the last 7 days with the
// paced iterator (5 calls per second at most, cursors echoed, retried on 503) and keeps a summary
// in KV, which the page shows. A real integration would write the reports to its own store here.
//
// Credentials: CYZEN_STATIC_TOKEN when set (server-to-server, run here), else the OAuth tokens of
// the session that signed in last: the walk then runs inside that session's Durable Object
// (cyzen-session.js), with the same CyzenOAuth the page's proxy uses, so a refresh by the page
// and one by the sync can never race.
import { CyzenClient } from "cyzen-senselink/cyzen";
import { SYNC_SESSION_KEY, cyzenConfigured, logFallback, sessionStub, tokenCoordinator } from "./cyzen.js";

export const LAST_SYNC_KEY = "sync:last";
const WEEK_MS = 7 * 86400 * 1000;
const NO_CREDENTIALS = "no cyzen credentials: set CYZEN_STATIC_TOKEN, or sign in with cyzen on the page";

/**
 * Walks the reports of the 7 days before `scheduledTime` with `auth`; the summary. Failures are
 * summarised by their code only (the detail goes to the log), so no upstream text reaches the page.
 */
export async function walkReports(env, auth, source, scheduledTime, coordinator = undefined) {
  const to = new Date(scheduledTime);
  const from = new Date(scheduledTime - WEEK_MS);
  const summary = { at: Date.now(), scheduledTime, from: from.toISOString(), to: to.toISOString() };
  if (!auth) return Object.assign(summary, { ok: false, error: NO_CREDENTIALS, code: null, finishedAt: Date.now() });
  try {
    // `coordinator`: paced with every other isolate using the token (an OAuth's own is used otherwise).
    const client = new CyzenClient({ baseUrl: env.CYZEN_BASE_URL || undefined, companyId: env.CYZEN_COMPANY_ID, auth, coordinator, onFallback: logFallback });
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
    Object.assign(summary, { ok: true, source, pages, reports, byDefinition, latestUpdatedAt: latest });
  } catch (error) {
    const id = crypto.randomUUID();
    console.error(`sync failed [${id}]`, error?.code ?? "", error?.stack ?? error);
    const code = typeof error?.code === "string" ? error.code : null;
    Object.assign(summary, { ok: false, code, error: `${code ?? "internal error"} (log id ${id})` });
  }
  summary.finishedAt = Date.now();
  return summary;
}

/** The scheduled run: the summary, also stored under LAST_SYNC_KEY. */
export async function syncReports(env, scheduledTime = Date.now()) {
  let summary;
  if (env.CYZEN_STATIC_TOKEN) {
    summary = await walkReports(env, { staticToken: env.CYZEN_STATIC_TOKEN }, "static token", scheduledTime, tokenCoordinator(env, "static-token"));
  } else {
    const sessionId = cyzenConfigured(env) ? await env.KV.get(SYNC_SESSION_KEY) : null;
    summary = sessionId ? await sessionStub(env, sessionId).sync(scheduledTime) : await walkReports(env, null, null, scheduledTime);
  }
  await env.KV.put(LAST_SYNC_KEY, JSON.stringify(summary));
  return summary;
}

export async function lastSync(env) {
  return JSON.parse((await env.KV.get(LAST_SYNC_KEY)) ?? "null");
}
