// SenseLink beyond the person APIs (spec §5): groups, departments, recognition records (v5 on Cloud,
// v3 on GE Enterprise, with iterate), face-photo check and quality, devices, system information.
import { assert, assertEqual, clearRequestLog, expectError, requestLog } from "../harness.js";
import { assertSigned, client, jpeg, lastRequest, param, part, png, setConfig, summary } from "./senselink.js";

export const checks = {
  async "groups: create (multipart), list (newest first, by type), update (JSON), members, delete"(lib, env) {
    const c = client(lib, env);
    await clearRequestLog(env);
    const g = await c.groups.create({ name: "夜間清掃", type: 1, remark: "22時以降" });
    assertEqual([g.name, g.type, g.remark, g.userCount], ["夜間清掃", 1, "22時以降", 0], "created");
    const created = await lastRequest(env);
    assertEqual([created.method, created.path, created.body.kind], ["POST", "/api/v1/group", "multipart"], "create request");
    assertSigned(lib, env, created);
    const all = await c.groups.list();
    assertEqual(all[0].id, g.id, "newest first");
    const visitorGroups = await c.groups.list({ type: 2 });
    assert(visitorGroups.length > 0 && visitorGroups.every((x) => x.type === 2), "filtered by type");
    const renamed = await c.groups.update(g.id, { name: "夜間清掃班" });
    assertEqual([renamed.id, renamed.name, renamed.remark], [g.id, "夜間清掃班", "22時以降"], "updated");
    const update = await lastRequest(env);
    assertEqual([update.path, update.body.kind, update.body.value.id, update.body.value.name], ["/api/v3/group/update", "json", g.id, "夜間清掃班"], "update request");
    const member = await c.employees.create({ name: "清掃 担当", groups: [g.id] });
    const members = await c.groups.members(g.id);
    assertEqual(members.items.map((p) => p.id), [member.id], "members");
    assertEqual([members.page, members.size, members.nextPage], [1, 20, null], "members page");
    await c.groups.delete(g.id);
    assertEqual((await lastRequest(env)).path, `/api/v1/group/delete/${g.id}`, "delete path");
    assert(!(await c.groups.list()).some((x) => x.id === g.id), "gone");
  },

  async "departments: the tree and one department by code"(lib, env) {
    const c = client(lib, env);
    const tree = await c.departments.list();
    assert(tree.length === 3 && tree.every((d) => d.parentId === 0), "three roots");
    const dev = tree.find((d) => d.code === "D200");
    assertEqual(dev.children.map((d) => d.code), ["D210", "D220", "D230"], "children");
    assert(dev.children.every((d) => d.parentId === dev.id && Array.isArray(d.children)), "children decoded");
    const one = await c.departments.byCode("D210");
    assertEqual([one.code, one.parentId], ["D210", dev.id], "by code");
    assertEqual(param(await lastRequest(env), "code"), ["D210"], "query");
    assert(typeof one.userNum === "number", "userNum");
  },

  async "records on Cloud: /api/v5/record/list, filters in the API's names, seconds, iterate over pages"(lib, env) {
    const c = client(lib, env);
    await clearRequestLog(env);
    const page = await c.records.list({ dateTimeFrom: "2025-03-25 00:00:00", dateTimeTo: "2025-03-31 23:59:59", order: "asc", size: 50 });
    const entry = await lastRequest(env);
    assertEqual(entry.path, "/api/v5/record/list", "v5 on Cloud");
    assertEqual([param(entry, "date_time_from"), param(entry, "date_time_to"), param(entry, "order")],
      [["2025-03-25 00:00:00"], ["2025-03-31 23:59:59"], ["asc"]], "query");
    assert(page.items.length > 0, "records in the window");
    assertEqual(page.total, null, "v5 has no total");
    const times = page.items.map((r) => r.signTime);
    assert(times.every((t) => Number.isInteger(t) && t < 10_000_000_000), "Unix seconds");
    assertEqual(times, [...times].sort((a, b) => a - b), "ascending");
    assert(page.items.every((r) => typeof r.deviceName === "string" && typeof r.verifyScore === "number"), "decoded");
    let count = 0;
    for await (const record of c.records.iterate({ dateTimeFrom: "2025-03-25 00:00:00", dateTimeTo: "2025-03-31 23:59:59", size: 20 })) {
      assert(record.id > 0, "record id");
      count++;
    }
    const all = await c.records.list({ dateTimeFrom: "2025-03-25 00:00:00", dateTimeTo: "2025-03-31 23:59:59", size: 100 });
    assertEqual(count, all.items.length, "iterate saw every record");
  },

  async "records on GE Enterprise: /api/v3/record/list with total, and the v1 quality API"(lib, env) {
    await setConfig(env, { edition: "enterprise" });
    try {
      const c = client(lib, env, { edition: "enterprise" });
      const page = await c.records.list({ size: 30, page: 2 });
      assertEqual((await lastRequest(env)).path, "/api/v3/record/list", "v3 on GE");
      assertEqual([page.page, page.size, page.items.length, page.nextPage], [2, 30, 30, 3], "page");
      assert(page.total >= 400, `total ${page.total}`);
      let count = 0;
      for await (const _ of c.records.iterate({ size: 100 })) count++;
      assertEqual(count, page.total, "iterate stops at total");
      const report = await c.recognition.quality(png());
      assertEqual((await lastRequest(env)).path, "/api/v1/recognition/quality", "v1 quality on GE");
      assertEqual(report.pass, true, "pass");
      const ge = await c.employees.create({ name: "GE 社員", icNumber: "", jobNumber: "G1", mobile: "", remark: "" });
      assertEqual(ge.jobNumber, "G1", "GE employee");
    } finally {
      await setConfig(env, { edition: "cloud" });
    }
  },

  async "recognition.check counts faces from the face_avatar part; quality reports in camelCase"(lib, env) {
    const c = client(lib, env);
    const photo = jpeg(777);
    assertEqual(await c.recognition.check(new Blob([photo])), 1, "one face");
    const entry = await lastRequest(env);
    assertEqual(entry.path, "/api/v1/recognition/check", "path");
    const file = part(entry, "face_avatar");
    assertEqual([file.content_type, file.size], ["image/jpeg", 777], "part");
    assertEqual(await c.recognition.check(new File([png()], "multiface.png")), 2, "two faces");
    const report = await c.recognition.quality(new File([png()], "lowquality.png"), { qaLevel: 3 });
    assertEqual([report.qaLevel, report.pass, report.faceCount], [3, false, 1], "report");
    assert(report.reasons.includes("blur") && typeof report.largestFace.mouthOpen === "number", "camelCase keys");
    const q = await lastRequest(env);
    assertEqual([q.path, part(q, "qa_level").value], ["/api/v3/recognition/quality", "3"], "Cloud quality path and qa_level");
    await expectError(c.recognition.quality(png(), { qaLevel: 4 }), "INVALID_INPUT");
  },

  async "devices and system information"(lib, env) {
    const c = client(lib, env);
    const devices = await c.devices.list();
    assertEqual(devices.length, 3, "three devices");
    assert(devices.every((d) => d.id > 0 && d.name && Number.isInteger(d.lastHeartbeat)), "decoded");
    const version = await c.system.version();
    assertEqual(version.edition, "cloud", "edition");
    const company = await c.system.company();
    assert(company.validFrom && company.validTo && typeof company.personCount === "number", "camelCase company");
    const log = await requestLog(env, "/api/");
    for (const entry of log) assertSigned(lib, env, entry);
  },

  async "every call accepts signal and timeoutMs"(lib, env) {
    const c = client(lib, env);
    const controller = new AbortController();
    controller.abort();
    await expectError(c.groups.list({}, { signal: controller.signal }), "ABORTED", lib.TransportError);
    await expectError(c.departments.byCode("D100", { signal: controller.signal }), "ABORTED");
    const s = await summary(env);
    assertEqual((await c.groups.list({}, { timeoutMs: 10_000 })).length, s.groups.length, "with timeout");
  },
};
