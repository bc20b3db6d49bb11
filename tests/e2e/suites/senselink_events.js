// SenseLink push events: real event bodies made by the sandbox's push (30000 recognition record,
// 30100 device alert) parsed into typed events; loose types, unknown types and bad bodies.
// Also the documented signing test vector.
import { admin, assert, assertEqual, expectError } from "../harness.js";

/** Makes the sandbox build and send one event; returns the exact event body it sent. */
async function pushedEvent(env, eventType, data) {
  // The subscriber is the sandbox's own health hook (GET only): delivery fails, which does not
  // matter here — the report carries the event as sent. Re-enabling keeps later pushes possible.
  await admin(env, "/__admin/senselink/subscription", { url: `${env.sandboxUrl}/__admin/health` });
  const report = await admin(env, "/__admin/senselink/push", data === undefined ? { eventType } : { eventType, data });
  assert(report.sent && report.event, `push report: ${JSON.stringify(report).slice(0, 200)}`);
  return report.event;
}

export const checks = {
  async "a recognition record push (30000) parses into a typed record, from text or object"(lib, env) {
    const sent = await pushedEvent(env, "30000");
    const event = lib.parseSenseLinkEvent(JSON.stringify(sent));
    assertEqual(event.eventType, "30000", "eventType");
    assertEqual(event.messageId, sent.messageId, "messageId");
    assertEqual(event.sendTime, sent.sendTime, "sendTime (ms)");
    const r = event.data;
    assertEqual([r.id, r.userId, r.name, r.signTime, r.deviceId], [sent.data.id, sent.data.user_id, sent.data.name, sent.data.sign_time, sent.data.device_id], "record");
    assert(typeof r.verifyScore === "number" && typeof r.deviceName === "string", "typed fields");
    assertEqual(lib.parseSenseLinkEvent(sent), event, "object input gives the same event");
  },

  async "a device alert push (30100) parses into a typed alert"(lib, env) {
    const sent = await pushedEvent(env, "30100");
    const event = lib.parseSenseLinkEvent(JSON.stringify(sent));
    assertEqual(event.eventType, "30100", "eventType");
    assertEqual([event.data.deviceId, event.data.alertType, event.data.alertMessage, event.data.alertTime],
      [sent.data.device_id, sent.data.alert_type, sent.data.alert_message, sent.data.alert_time], "alert");
  },

  async "each push has its own messageId, to de-duplicate on"(lib, env) {
    const a = lib.parseSenseLinkEvent(await pushedEvent(env, "30000"));
    const b = lib.parseSenseLinkEvent(await pushedEvent(env, "30000"));
    assert(a.messageId && b.messageId && a.messageId !== b.messageId, "distinct message ids");
  },

  async "loose types are accepted: numeric eventType, string ids, data as a JSON string"(lib) {
    const event = lib.parseSenseLinkEvent(JSON.stringify({
      eventType: 30000, messageId: 123, sendTime: "1743433200000",
      data: JSON.stringify({ id: "7", user_id: "60001", name: "佐藤 太郎", sign_time: 1743433199000, verify_score: "0.91" }),
    }));
    assertEqual([event.eventType, event.messageId, event.sendTime], ["30000", "123", 1743433200000], "envelope");
    assertEqual([event.data.id, event.data.userId, event.data.signTime, event.data.verifyScore], [7, 60001, 1743433199, 0.91], "record");
  },

  async "an unknown event type is kept (eventType unknown), never refused"(lib) {
    const event = lib.parseSenseLinkEvent('{"eventType":"30200","messageId":"m1","sendTime":1,"data":{"door_state":"open"}}');
    assertEqual(event, { data: { doorState: "open" }, eventType: "unknown", messageId: "m1", rawEventType: "30200", sendTime: 1 }, "event");
  },

  async "bodies that are not push events are DECODE errors; other inputs INVALID_INPUT"(lib) {
    for (const body of ["<html>", "[]", '{"messageId":"m"}', '{"eventType":"30000"}', '{"eventType":"30000","messageId":"m","data":[]}']) {
      const error = await expectError(Promise.resolve().then(() => lib.parseSenseLinkEvent(body)), "DECODE", lib.HttpError);
      assert(error.message.startsWith("not a SenseLink push event"), error.message);
    }
    await expectError(Promise.resolve().then(() => lib.parseSenseLinkEvent(42)), "INVALID_INPUT", lib.InvalidInputError);
  },

  async "senselinkSign matches the documented test vector"(lib) {
    assertEqual(lib.senselinkSign("1477881215000", "2323dsfadfewrasa3434"), "e5ef72ef839bdf5397b4906b199b9fbf", "sign");
  },
};
