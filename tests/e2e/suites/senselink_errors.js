// SenseLink server answers mapped to typed errors: similar person (30002 / 610) with the similar
// person's details and `force`, face rejected (50001 / 600 / 30003) with the reason, person limit
// (709), invalid parameter (30001 / 498) with the server's message, bad signature / key, expired
// timestamp, any other code (700, 50002) kept as SENSELINK_API, and transport-level failures
// (HTTP errors, HTML, broken JSON, truncated or dropped answers, timeouts, aborts).
import { admin, assert, assertEqual, clearRequestLog, expectError, requestLog } from "../harness.js";
import { client, jpeg, lastRequest, photoOf, png, setConfig, summary, visitTime } from "./senselink.js";

async function senselinkError(lib, promise, code, apiCode) {
  const error = await expectError(promise, code, lib.SenseLinkError);
  if (apiCode !== undefined) assertEqual(error.apiCode, apiCode, "apiCode");
  assertEqual(error.status, 200, "HTTP status (SenseLink reports errors under HTTP 200)");
  assert(typeof error.apiMessage === "string" && typeof error.desc === "string", "apiMessage and desc kept");
  return error;
}

const fault = (env, pathPrefix, spec) => admin(env, "/__admin/faults", { path_prefix: pathPrefix, count: 1, fault: spec });

export const checks = {
  async "similar face on employees.create: 30002 with the similar person's id, name, avatar and canForce; force: true registers"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    const seeded = s.sample_ids.employees_with_photo[0];
    const [other] = (await c.persons.list({ id: seeded })).items;
    const photo = await photoOf(env, seeded);
    const error = await senselinkError(lib, c.employees.create({ name: "そっくり", avatar: photo }), "SENSELINK_SIMILAR_PERSON", 30002);
    assertEqual([error.similarUserId, error.similarUserName, error.similarUserAvatar, error.canForce], [seeded, other.name, other.avatar, true], "details");
    assertEqual(error.desc, "ex.similar-user", "desc");
    assertEqual(error.data.similar_user_id, seeded, "raw data kept");
    assertEqual(error.message, `employees.create: a similar face is already registered as ${other.name} (id ${seeded}); pass force: true to register anyway`, "message");
    const forced = await c.employees.create({ name: "そっくり", avatar: photo, force: true });
    assert(forced.id !== seeded, "registered anyway");
    assertEqual(
      (await lastRequest(env)).body.parts.find((p) => p.name === "force").value, "1", "force=1 sent");
  },

  async "similar face on visitors, deny list and employee updates: 610"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    const photo = await photoOf(env, s.sample_ids.visitors[0]);
    const visitor = {
      name: "似た人", avatar: photo, mobile: "0801", remark: "", groups: [], receptionUserId: s.sample_ids.employees_with_photo[0],
      dateTimeFrom: visitTime(1), dateTimeTo: visitTime(2),
    };
    const e1 = await senselinkError(lib, c.visitors.create(visitor), "SENSELINK_SIMILAR_PERSON", 610);
    assertEqual(e1.similarUserId, s.sample_ids.visitors[0], "similar visitor");
    await senselinkError(lib, c.denyList.create({ name: "似た人", avatar: photo }), "SENSELINK_SIMILAR_PERSON", 610);
    const mine = await c.employees.create({ name: "更新で似る" });
    await senselinkError(lib, c.employees.update(mine.id, { avatar: photo }), "SENSELINK_SIMILAR_PERSON", 610);
    const updated = await c.employees.update(mine.id, { avatar: photo, force: true });
    assert(updated.avatar, "forced update");
  },

  async "face rejected: 50001 on employees/visitors, 600 on the deny list, 30003 on recognition.check, with the reason"(lib, env) {
    const c = client(lib, env);
    const e1 = await senselinkError(lib, c.employees.create({ name: "顔なし", avatar: new File([jpeg()], "noface.jpg") }), "SENSELINK_FACE_REJECTED", 50001);
    assert(e1.reason.includes("顔が検知されていません"), `reason: ${e1.reason}`);
    assert(e1.message.startsWith("employees.create: the face photo was rejected (50001 RPC FAILED"), e1.message);
    const e2 = await senselinkError(lib, c.denyList.create({ name: "複数", avatar: new File([png()], "group-multiface.png") }), "SENSELINK_FACE_REJECTED", 600);
    assert(e2.reason.includes("複数の顔"), `reason: ${e2.reason}`);
    const e3 = await senselinkError(lib, c.employees.create({ name: "失敗", avatar: new File([png()], "DetectFail.png") }), "SENSELINK_FACE_REJECTED", 50001);
    assert(e3.reason.includes("顔の検知に失敗しました"), e3.reason);
    const e4 = await senselinkError(lib, c.recognition.check(new File([png()], "noface.png")), "SENSELINK_FACE_REJECTED", 30003);
    assertEqual(e4.apiMessage, "No Face Detected In The Image", "apiMessage");
    await senselinkError(lib, c.denyList.update((await c.denyList.create({ name: "小さい" })).id, { name: "小さい", avatar: new File([png()], "syncfail.png") }),
      "SENSELINK_FACE_REJECTED", 600);
  },

  async "person limit reached: 709 SENSELINK_PERSON_LIMIT on every add"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    await setConfig(env, { person_limit: s.persons.total });
    try {
      const error = await senselinkError(lib, c.employees.create({ name: "上限" }), "SENSELINK_PERSON_LIMIT", 709);
      assertEqual(error.apiMessage, "The maximum number of persons in the tenant has been reached.", "apiMessage");
      await senselinkError(lib, c.denyList.create({ name: "上限" }), "SENSELINK_PERSON_LIMIT", 709);
    } finally {
      await setConfig(env, { person_limit: null });
    }
    assert((await c.employees.create({ name: "上限解除" })).id > 0, "allowed again");
  },

  async "server-side parameter rules: 30001 SENSELINK_INVALID_PARAM with the server's message"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    // Employee names have no documented limit, so the client leaves it to the server (sandbox: 45).
    const e1 = await senselinkError(lib, c.employees.create({ name: "名".repeat(46) }), "SENSELINK_INVALID_PARAM", 30001);
    assertEqual(e1.apiMessage, "Param Invalid", "apiMessage");
    assert(e1.desc.includes("登録者名の長さが無効です"), e1.desc);
    assert(e1.message.includes("Param Invalid: 無効なパラメーターです。登録者名の長さが無効です"), e1.message);
    // Unknown group, duplicate mobile, bad deny-list mail, unknown reception user, missing person.
    const e2 = await senselinkError(lib, c.employees.create({ name: "a", groups: [999999] }), "SENSELINK_INVALID_PARAM", 30001);
    assert(e2.desc.includes("グループのID が存在しません"), e2.desc);
    const [someone] = (await c.persons.list({ type: 1, size: 1 })).items;
    const e3 = await senselinkError(lib, c.employees.create({ name: "a", mobile: someone.mobile }), "SENSELINK_INVALID_PARAM", 30001);
    assert(e3.desc.includes("携帯電話番号がすでに存在します"), e3.desc);
    const e4 = await senselinkError(lib, c.denyList.create({ name: "a", mail: "not-an-address" }), "SENSELINK_INVALID_PARAM", 30001);
    assert(e4.desc.includes("メールアドレスが無効です"), e4.desc);
    const visitor = { name: "v", avatar: png(), mobile: "1", remark: "", groups: [], receptionUserId: s.sample_ids.visitors[0],
      dateTimeFrom: visitTime(1), dateTimeTo: visitTime(2) };
    await senselinkError(lib, c.visitors.create(visitor), "SENSELINK_INVALID_PARAM", 30001);
    await senselinkError(lib, c.employees.delete(1), "SENSELINK_INVALID_PARAM", 30001);
    await senselinkError(lib, c.denyList.moveOut(s.sample_ids.deny_list_direct[0]), "SENSELINK_INVALID_PARAM", 30001);
  },

  async "moving a deny-list person into the deny list: 498 SENSELINK_INVALID_PARAM"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    const error = await senselinkError(lib, c.denyList.moveIn(s.sample_ids.deny_list_direct[0], []), "SENSELINK_INVALID_PARAM", 498);
    assert(error.desc.includes("無効な登録者タイプです"), error.desc);
  },

  async "other codes keep code, message, desc: 700 on the deny list, 50002 on employee update"(lib, env) {
    const c = client(lib, env);
    const e1 = await senselinkError(lib, c.denyList.create({ name: "連携", avatar: new File([png()], "grouplinkfail.png") }), "SENSELINK_API", 700);
    assertEqual(e1.apiMessage, "Multi Request Error", "apiMessage");
    assert(e1.desc.includes("拒否リストとグループの連携に失敗しました"), e1.desc);
    assert(e1.message.startsWith("denyList.create: SenseLink answered 700 Multi Request Error"), e1.message);
    const mine = await c.employees.create({ name: "連携" });
    const e2 = await senselinkError(lib, c.employees.update(mine.id, { avatar: new File([png()], "grouplinkfail.png") }), "SENSELINK_API", 50002);
    assertEqual(e2.apiMessage, "Internal Server Error", "apiMessage");
  },

  async "wrong secret or key: SENSELINK_AUTH, and the secret never appears in the error"(lib, env) {
    const wrongSecret = "wrong-secret-value-123";
    const e1 = await senselinkError(lib, client(lib, env, { appSecret: wrongSecret }).persons.list(), "SENSELINK_AUTH", 40001);
    const shown = JSON.stringify({ ...e1, message: e1.message, stack: e1.stack });
    assert(!shown.includes(wrongSecret) && !shown.includes(env.senselink.appSecret), "secret in the error");
    const sent = (await lastRequest(env)).query_params.find((p) => p.name === "sign").value;
    assert(!shown.includes(sent), "sign in the error");
    assert(e1.message.includes("check appKey and appSecret"), e1.message);
    await senselinkError(lib, client(lib, env, { appKey: "unknown-key" }).persons.list(), "SENSELINK_AUTH", 40003);
  },

  async "a clock 40 minutes off: SENSELINK_TIMESTAMP; clockOffsetMs corrects it"(lib, env) {
    const skewed = client(lib, env, { clockOffsetMs: -40 * 60_000 });
    const error = await senselinkError(lib, skewed.persons.list({ size: 1 }), "SENSELINK_TIMESTAMP", 40002);
    assert(error.message.includes("clockOffsetMs"), error.message);
    if (error.suggestedClockOffsetMs !== undefined) {
      // Where the Date header is readable (not in a cross-origin page), it suggests no offset: the
      // local clock is right.
      assertEqual(error.suggestedClockOffsetMs, 0, "suggested offset");
    }
    // The server's clock runs 40 minutes ahead: a client told so signs in its time.
    await admin(env, "/__admin/clock", { offset_ms: 40 * 60_000 });
    try {
      await senselinkError(lib, client(lib, env).persons.list({ size: 1 }), "SENSELINK_TIMESTAMP", 40002);
      const fixed = await client(lib, env, { clockOffsetMs: 40 * 60_000 }).persons.list({ size: 1 });
      assertEqual(fixed.items.length, 1, "accepted with the offset");
    } finally {
      await admin(env, "/__admin/clock", { offset_ms: 0 });
    }
  },

  async "HTTP-level failures: 5xx and HTML pages are HTTP_STATUS with a body excerpt, broken JSON is DECODE"(lib, env) {
    const c = client(lib, env, { maxRetries: 0 });
    await fault(env, "/api/v2/device", "status=500");
    const e1 = await expectError(c.devices.list(), "HTTP_STATUS", lib.HttpError);
    assertEqual(e1.status, 500, "status");
    assert(typeof e1.body === "string" && e1.body.length > 0, "body excerpt");
    await fault(env, "/api/v2/device", "html");
    const e2 = await expectError(c.devices.list(), "HTTP_STATUS", lib.HttpError);
    assertEqual(e2.status, 502, "status");
    assert(e2.body.includes("<html"), e2.body);
    await fault(env, "/api/v2/device", "malformed-json");
    await expectError(c.devices.list(), "DECODE", lib.HttpError);
    const e4 = await expectError(client(lib, env, { edition: "enterprise" }).records.list(), "HTTP_STATUS");
    assertEqual(e4.status, 404, "edition mismatch: the other edition's path does not exist");
    assert(e4.message.includes("edition"), e4.message);
  },

  async "truncated and dropped answers are transport errors; timeouts and aborts are typed"(lib, env) {
    const c = client(lib, env, { maxRetries: 0 });
    await fault(env, "/api/v2/device", "truncate");
    const truncated = await c.devices.list().then(() => null, (e) => e);
    // The runtime either fails reading the body (NETWORK) or hands over the cut text (DECODE).
    assert(truncated !== null && ["NETWORK", "DECODE"].includes(truncated.code), `truncate: ${truncated?.code}`);
    // Chromium silently retries a GET when a reused connection closes without an answer, once per
    // pooled connection (up to 6 per host): queue the drop for more requests than that, then clear
    // what is left.
    await admin(env, "/__admin/faults", { path_prefix: "/api/v2/device", count: 10, fault: "drop" });
    await expectError(c.devices.list(), "NETWORK", lib.TransportError);
    await admin(env, "/__admin/faults", undefined, "DELETE");
    await fault(env, "/api/v2/device", "latency=3000");
    await expectError(c.devices.list({ timeoutMs: 100 }), "TIMEOUT", lib.TransportError);
    await fault(env, "/api/v2/device", "latency=3000");
    await expectError(client(lib, env, { timeoutMs: 100 }).devices.list(), "TIMEOUT", lib.TransportError);
    const controller = new AbortController();
    await fault(env, "/api/v2/device", "latency=3000");
    const pending = c.devices.list({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expectError(pending, "ABORTED", lib.TransportError);
    await admin(env, "/__admin/faults", undefined, "DELETE");
  },

  async "reads are retried (freshly signed) after a 5xx or a dropped connection, with onRetry told; writes never"(lib, env) {
    const retries = [];
    const c = client(lib, env, { onRetry: (e) => retries.push(e) });
    await clearRequestLog(env);
    await admin(env, "/__admin/faults", { path_prefix: "/api/v2/device", count: 1, fault: "status=502" });
    assert(Array.isArray(await c.devices.list()), "the read succeeds on its retry");
    const sent = await requestLog(env, "/api/v2/device");
    assertEqual(sent.length, 2, "two requests");
    const sign = (entry) => entry.query_params.find((p) => p.name === "sign")?.value;
    assert(sign(sent[0]) !== sign(sent[1]) || sent[0].query !== sent[1].query, "each attempt signed afresh");
    assertEqual(retries.map((r) => [r.operation, r.retry, r.reason]), [["devices.list", 1, 502]], "onRetry");
    assert(retries[0].waitMs >= 500 && !retries[0].url.includes(env.senselink.appSecret), "wait and a redacted URL");
    await clearRequestLog(env);
    await admin(env, "/__admin/faults", { path_prefix: "/api/v1/group", count: 1, fault: "status=502" });
    await expectError(c.groups.create({ name: "retry-test", type: 1 }), "HTTP_STATUS", lib.HttpError);
    assertEqual((await requestLog(env, "/api/v1/group")).length, 1, "a write is sent once");
  },

  async "an error leaves the client usable, and nothing was retried"(lib, env) {
    const c = client(lib, env);
    await clearRequestLog(env);
    await expectError(c.employees.delete(1), "SENSELINK_INVALID_PARAM");
    assertEqual((await requestLog(env, "/api/")).length, 1, "one request, no retry");
    assertEqual((await c.persons.list({ size: 2 })).items.length, 2, "next call works");
  },
};
