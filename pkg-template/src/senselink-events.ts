/**
 * SenseLink push events (recognition records, device alerts) read on the server that receives
 * them: `parseSenseLinkEvent`, in `cyzen-senselink/server`.
 * @packageDocumentation
 */
import * as generated from "./generated/senselink.js";
import { serverWasm } from "./instance.js";
import type { SenseLinkEvent } from "./senselink.js";
import { camelize, type Raw } from "./shape.js";

/**
 * Parses a SenseLink push body (the request text, or its parsed object) into a typed event:
 * `eventType "30000"` a recognition record, `"30100"` a device alert, `"unknown"` anything else.
 *
 * SenseLink requires **HTTP 200 within 5 seconds**; a single failed or slow delivery marks the
 * subscription abnormal and stops every further push. So answer 200 first (queue the work, e.g.
 * `ctx.waitUntil`), and de-duplicate on `messageId`.
 *
 * @throws {HttpError} `DECODE` when the body is not a push event; {@link InvalidInputError} when
 *   `body` is neither text nor an object.
 * @example
 * export default {
 *   async fetch(request, env, ctx) {
 *     const event = parseSenseLinkEvent(await request.text());
 *     if (event.eventType === "30000" && !(await env.SEEN.get(event.messageId))) {
 *       ctx.waitUntil(handleRecord(event.data));
 *     }
 *     return new Response("ok");
 *   },
 * };
 */
export function parseSenseLinkEvent(body: string | object): SenseLinkEvent {
  const event = serverWasm.call((glue) => glue.parseSenseLinkEvent(body)) as { eventType: string; data: unknown };
  event.data =
    event.eventType === "30000" ? generated.record(event.data as Raw)
    : event.eventType === "30100" ? generated.deviceAlert(event.data as Raw)
    : camelize(event.data);
  return event as SenseLinkEvent;
}
