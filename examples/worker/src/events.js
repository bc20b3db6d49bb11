// The SenseLink push-event receiver. SenseLink wants HTTP 200 within 5 seconds, and a single slow
// or failed delivery stops every further push until someone re-enables the subscription. So the
// handler only parses the body and answers; the work (de-duplication, looking the person up,
// storing the event) runs afterwards in `ctx.waitUntil`.
//
//   POST /senselink/events?key=…   → 200 at once (503 while SENSELINK_EVENTS_KEY is unset)
//   GET  /events/recent             → { events: [...] } (newest first, for the page)
import { SenseLinkClient } from "cyzen-senselink/senselink";
import { parseSenseLinkEvent } from "cyzen-senselink/server";
import { sameSecret } from "./session.js";

const RECENT_KEY = "events:recent";
const RECENT_MAX = 50;
const SEEN_TTL_S = 7 * 86400;
/** The shortest subscriber key accepted (`openssl rand -hex 16` gives 32 characters). */
const MIN_KEY_CHARS = 16;
/** SenseLink's events are a few hundred bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;
// Deliveries seen by this isolate: a duplicate that arrives while the first is still being
// processed is dropped at once (KV is the check across isolates, and it is eventually consistent).
const seenHere = new Set();

const text = (body, status) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

export async function receiveEvent(request, env, ctx) {
  // SenseLink does not sign its pushes: the subscriber URL carries a shared key, which is required.
  const expected = env.SENSELINK_EVENTS_KEY ?? "";
  if (expected.length < MIN_KEY_CHARS) {
    console.error(`push receiver disabled: SENSELINK_EVENTS_KEY is unset or shorter than ${MIN_KEY_CHARS} characters`);
    return text("push receiver disabled", 503);
  }
  if (request.method !== "POST") return text("POST only", 405);
  if (!(await sameSecret(new URL(request.url).searchParams.get("key") ?? "", expected))) return text("unknown subscriber key", 403);
  if (Number(request.headers.get("content-length")) > MAX_BODY_BYTES) return text("too large", 413);
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) return text("too large", 413);
  let event;
  try {
    event = parseSenseLinkEvent(body);
  } catch {
    return text("not a SenseLink push event", 400);
  }
  if (!seenHere.has(event.messageId)) {
    seenHere.add(event.messageId);
    if (seenHere.size > 1000) seenHere.delete(seenHere.values().next().value);
    ctx.waitUntil(processEvent(env, event).catch((error) => console.error("event processing failed", error?.code ?? "", error?.message)));
  }
  return text("ok", 200);
}

async function processEvent(env, event) {
  const seenKey = `event:${event.messageId}`;
  if ((await env.KV.get(seenKey)) !== null) return; // delivered before: already handled
  await env.KV.put(seenKey, "1", { expirationTtl: SEEN_TTL_S });
  const entry = { messageId: event.messageId, eventType: event.eventType, sendTime: event.sendTime, receivedAt: Date.now() };
  if (event.eventType === "30000") {
    const r = event.data;
    Object.assign(entry, {
      recordId: r.id, userId: r.userId, name: r.name, signTime: r.signTime, deviceName: r.deviceName,
      location: r.location, direction: r.direction, verifyScore: r.verifyScore, mask: r.mask,
    });
    // The work this receiver does: who was recognised (type, employee number), through the
    // signed SenseLink client. userId 0 is a stranger.
    if (r.userId && env.SENSELINK_APP_SECRET) {
      try {
        const client = new SenseLinkClient({
          baseUrl: env.SENSELINK_BASE_URL, appKey: env.SENSELINK_APP_KEY, appSecret: env.SENSELINK_APP_SECRET,
          edition: env.SENSELINK_EDITION || "cloud", timeoutMs: 10_000,
        });
        const [person] = (await client.persons.list({ id: r.userId, size: 1 })).items;
        entry.person = person ? { id: person.id, name: person.name, type: person.type, jobNumber: person.jobNumber } : null;
      } catch (error) {
        entry.lookupError = error?.code ?? "ERROR";
      }
    }
  } else if (event.eventType === "30100") {
    const a = event.data;
    Object.assign(entry, { deviceName: a.deviceName, alertType: a.alertType, alertMessage: a.alertMessage, alertTime: a.alertTime });
  } else {
    entry.rawEventType = event.rawEventType;
  }
  const recent = JSON.parse((await env.KV.get(RECENT_KEY)) ?? "[]");
  if (!recent.some((e) => e.messageId === entry.messageId)) recent.unshift(entry);
  await env.KV.put(RECENT_KEY, JSON.stringify(recent.slice(0, RECENT_MAX)));
}

export async function recentEvents(env) {
  return JSON.parse((await env.KV.get(RECENT_KEY)) ?? "[]");
}
