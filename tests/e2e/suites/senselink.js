// SenseLink person APIs against the sandbox over real HTTP: every person endpoint (seed 2.4.1–2.4.13),
// what goes on the wire (signature, multipart parts, one comma-joined `groups` field, the avatar
// part) and the typed outputs. Also exports the helpers the other senselink_* suites use.
import { admin, assert, assertEqual, clearRequestLog, expectError, requestLog } from "../harness.js";

// ---------------------------------------------------------------------------------------------
// Helpers shared by the senselink_* suites
// ---------------------------------------------------------------------------------------------

/** A signing client against the sandbox. */
export function client(lib, env, extra = {}) {
  return new lib.SenseLinkClient({
    baseUrl: env.sandboxUrl,
    appKey: env.senselink.appKey,
    appSecret: env.senselink.appSecret,
    ...extra,
  });
}

function image(magic, size) {
  const bytes = new Uint8Array(size);
  crypto.getRandomValues(bytes.subarray(magic.length, Math.min(size, 65536)));
  bytes.set(magic);
  return bytes;
}

/** A unique PNG-looking photo (the sandbox checks magic bytes; identical bytes = the same face). */
export const png = (size = 256) => image([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], size);
/** A unique JPEG-looking photo. */
export const jpeg = (size = 256) => image([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46], size);

export async function summary(env) {
  return (await fetch(`${env.sandboxUrl}/__admin/senselink/summary`)).json();
}

/** The exact bytes of a (seeded) person's photo: uploading them again is "the same face". */
export async function photoOf(env, personId) {
  const response = await fetch(`${env.sandboxUrl}/__admin/senselink/photo/${personId}`);
  assert(response.ok, `photo of ${personId}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The newest request-log entry under `prefix`. */
export async function lastRequest(env, prefix = "/api/") {
  const log = await requestLog(env, prefix);
  assert(log.length > 0, `no request under ${prefix} was logged`);
  return log[log.length - 1];
}

export const param = (entry, name) => entry.query_params.filter((p) => p.name === name).map((p) => p.value);
export const part = (entry, name) => entry.body.parts?.find((p) => p.name === name);
export const partNames = (entry) => entry.body.parts.map((p) => p.name);

/** Checks that a logged request carries a valid, fresh signature and nowhere the secret. */
export function assertSigned(lib, env, entry) {
  const [appKey] = param(entry, "app_key");
  const [timestamp] = param(entry, "timestamp");
  const [sign] = param(entry, "sign");
  assertEqual(appKey, env.senselink.appKey, "app_key");
  assert(/^\d{13}$/.test(timestamp ?? ""), `timestamp is 13 digits: ${timestamp}`);
  assert(Math.abs(Number(timestamp) - Date.now()) < 5 * 60_000, `timestamp is fresh: ${timestamp}`);
  assertEqual(sign, lib.senselinkSign(timestamp, env.senselink.appSecret), "sign");
  for (const name of ["app_key", "timestamp", "sign"]) assertEqual(param(entry, name).length, 1, `${name} occurrences`);
  assert(!JSON.stringify(entry).includes(env.senselink.appSecret), "the secret appears in the request");
}

/** Runs `fn` and checks that it sent nothing to the SenseLink API. */
export async function assertNothingSent(env, fn) {
  await clearRequestLog(env);
  await fn();
  const log = await requestLog(env, "/api/");
  assertEqual(log.map((e) => `${e.method} ${e.path}`), [], "requests sent");
}

/** Today in JST (the sandbox's day for image_updated). */
export const todayJst = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

/** `YYYY-MM-DD hh:mm:ss` `hours` from now (JST wall time). */
export function visitTime(hours) {
  return new Date(Date.now() + (9 + hours) * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

export const setConfig = (env, body) => admin(env, "/__admin/senselink/config", body);

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

export const checks = {
  async "employees.create sends a signed multipart request: one comma-joined groups field and the avatarFile part"(lib, env) {
    const s = await summary(env);
    const groups = s.groups.filter((g) => g.type === 1).slice(0, 2).map((g) => g.id);
    const photo = jpeg(2048);
    await clearRequestLog(env);
    const person = await client(lib, env).employees.create({
      name: "佐藤 太郎",
      groups,
      jobNumber: "E90001",
      mobile: "09011112222",
      icNumber: "",
      gender: 2,
      birthday: "1990-04-01",
      avatar: new File([photo], "face.jpg", { type: "image/jpeg" }),
    });
    assertEqual(person.name, "佐藤 太郎", "name");
    assertEqual(person.type, 1, "type");
    assertEqual(person.jobNumber, "E90001", "jobNumber");
    assertEqual(person.gender, 2, "gender");
    assertEqual(person.groups.map((g) => g.id).sort(), [...groups].sort(), "groups");
    assert(typeof person.id === "number" && person.id > 0, `id ${person.id}`);
    assert(typeof person.avatar === "string" && person.avatar.length > 0, "avatar id");
    assert(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(person.createAt), `createAt ${person.createAt}`);

    const entry = await lastRequest(env);
    assertEqual(`${entry.method} ${entry.path}`, "POST /api/v1/user", "request");
    assertSigned(lib, env, entry);
    assertEqual(entry.body.kind, "multipart", "body kind");
    assertEqual(entry.body.parts.filter((p) => p.name === "groups").map((p) => p.value), [groups.join(",")], "groups field");
    assertEqual(part(entry, "name").value, "佐藤 太郎", "name part");
    assertEqual(part(entry, "icNumber").value, "", "empty string is sent as is");
    const file = part(entry, "avatarFile");
    assertEqual([file.filename, file.content_type, file.size], ["face.jpg", "image/jpeg", photo.length], "avatarFile part");
    assertEqual(file.sha256, await sha256(photo), "photo bytes");
    assertEqual(param(entry, "name"), [], "business fields stay out of the query");
  },

  async "a Blob avatar without name or type gets a sensible filename and the sniffed content type"(lib, env) {
    const photo = png(1000);
    await clearRequestLog(env);
    await client(lib, env).employees.create({ name: "Blob 写真", avatar: new Blob([photo]) });
    const file = part(await lastRequest(env), "avatarFile");
    assertEqual([file.filename, file.content_type, file.size], ["avatar.png", "image/png", 1000], "part");
    assertEqual(file.sha256, await sha256(photo), "bytes");
  },

  async "a mislabelled Blob is sent with the type its bytes show"(lib, env) {
    const photo = jpeg(300);
    await clearRequestLog(env);
    await client(lib, env).employees.create({ name: "Label", avatar: new File([photo], "scan.bin", { type: "application/octet-stream" }) });
    const file = part(await lastRequest(env), "avatarFile");
    assertEqual([file.filename, file.content_type], ["scan.bin", "image/jpeg"], "part");
  },

  async "Uint8Array and ArrayBuffer avatars are uploaded byte for byte"(lib, env) {
    const c = client(lib, env);
    const a = jpeg(512);
    const b = png(640);
    await clearRequestLog(env);
    await c.employees.create({ name: "U8", avatar: a });
    await c.employees.create({ name: "AB", avatar: b.buffer });
    const log = await requestLog(env, "/api/v1/user");
    assertEqual(log.map((e) => part(e, "avatarFile").content_type), ["image/jpeg", "image/png"], "types");
    assertEqual(log.map((e) => part(e, "avatarFile").filename), ["avatar.jpg", "avatar.png"], "names");
    assertEqual([log[0].body.parts.at(-1).sha256, log[1].body.parts.at(-1).sha256], [await sha256(a), await sha256(b)], "bytes");
  },

  async "a photo just under 4 MB is uploaded intact"(lib, env) {
    const photo = png(4 * 1024 * 1024);
    await clearRequestLog(env);
    const person = await client(lib, env).employees.create({ name: "Large", avatar: new Blob([photo], { type: "image/png" }) });
    assert(person.avatar, "avatar set");
    const file = part(await lastRequest(env), "avatarFile");
    assertEqual(file.size, 4 * 1024 * 1024, "size");
    assertEqual(file.sha256, await sha256(photo), "bytes");
  },

  async "employees.update sends only the given fields; empty strings clear, null leaves unchanged"(lib, env) {
    const c = client(lib, env);
    const created = await c.employees.create({ name: "更新 前", mobile: "08033334444", remark: "memo", position: "課長" });
    await clearRequestLog(env);
    const updated = await c.employees.update(created.id, { mobile: "", remark: null, position: "部長", name: undefined });
    assertEqual([updated.id, updated.name, updated.mobile, updated.remark, updated.position], [created.id, "更新 前", "", "memo", "部長"], "fields");
    const entry = await lastRequest(env);
    assertEqual(`${entry.method} ${entry.path}`, `POST /api/v2/user/update/${created.id}`, "request");
    assertSigned(lib, env, entry);
    assertEqual(partNames(entry), ["mobile", "position"], "parts sent");
  },

  async "employees.update with a new photo replaces the avatar"(lib, env) {
    const c = client(lib, env);
    const created = await c.employees.create({ name: "写真 更新", avatar: png() });
    const updated = await c.employees.update(created.id, { avatar: jpeg() });
    assert(updated.avatar && updated.avatar !== created.avatar, "new avatar id");
  },

  async "employees.avatarsUpdatedOn lists the day's new (0) and replaced (1) photos"(lib, env) {
    const c = client(lib, env);
    const created = await c.employees.create({ name: "アバター 日付", avatar: png() });
    await c.employees.update(created.id, { avatar: png() });
    const list = await c.employees.avatarsUpdatedOn(todayJst());
    const mine = list.filter((u) => u.employeeId === String(created.id));
    assertEqual(mine.map((u) => u.remark), [0, 1], "remarks");
    assert(mine.every((u) => typeof u.imageUrl === "string" && u.imageUrl.includes("/static/avatar/")), "image URLs");
    const entry = await lastRequest(env);
    assertEqual([entry.path, param(entry, "date")], ["/api/v2/staff/image_updated", [todayJst()]], "request");
  },

  async "employees.delete removes the employee (GET /api/v1/user/delete/{id})"(lib, env) {
    const c = client(lib, env);
    const created = await c.employees.create({ name: "削除 予定" });
    assertEqual(await c.employees.delete(created.id), undefined, "result");
    const entry = await lastRequest(env);
    assertEqual(`${entry.method} ${entry.path}`, `GET /api/v1/user/delete/${created.id}`, "request");
    assertSigned(lib, env, entry);
    assertEqual((await c.persons.list({ id: created.id })).items, [], "gone");
  },

  async "visitors.create, update and delete with the visit window and the required photo"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    const host = s.sample_ids.employees_with_photo[0];
    const visitorGroup = s.groups.find((g) => g.type === 2).id;
    const from = visitTime(1);
    const to = visitTime(3);
    await clearRequestLog(env);
    const v = await c.visitors.create({
      name: "来訪 花子", avatar: png(), mobile: "07055556666", remark: "", groups: [visitorGroup],
      receptionUserId: host, dateTimeFrom: from, dateTimeTo: to, guestCompany: "株式会社山田商事", level: "VIP",
    });
    assertEqual([v.type, v.name, v.receptionUserId, v.dateTimeFrom, v.dateTimeTo, v.guestCompany, v.guestLevel],
      [2, "来訪 花子", host, from, to, "株式会社山田商事", "VIP"], "visitor (times without .0)");
    assert(typeof v.receptionUserName === "string" && v.receptionUserName.length > 0, "reception user name");
    assertEqual(v.groups.map((g) => g.id), [visitorGroup], "groups");
    const created = await lastRequest(env);
    assertEqual(`${created.method} ${created.path}`, "POST /api/v1/guest", "create request");
    assertEqual(part(created, "groups").value, String(visitorGroup), "groups field");
    assert(part(created, "avatarFile"), "photo part");

    const later = visitTime(5);
    const u = await c.visitors.update(v.id, {
      name: "来訪 花子", groups: [], receptionUserId: host, dateTimeFrom: from, dateTimeTo: later, guestPurpose: "面接",
    });
    assertEqual([u.dateTimeTo, u.guestPurpose, u.groups], [later, "面接", []], "updated");
    assertEqual((await lastRequest(env)).path, `/api/v1/guest/update/${v.id}`, "update path");
    await c.visitors.delete(v.id);
    assertEqual((await lastRequest(env)).path, `/api/v1/guest/delete/${v.id}`, "delete path");
    assertEqual((await c.persons.list({ id: v.id })).items, [], "gone");
  },

  async "a visit window given as Date objects is sent in Japan time"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    const from = new Date(Math.ceil(Date.now() / 3600_000) * 3600_000 + 3600_000);
    const to = new Date(from.getTime() + 2 * 3600_000);
    const v = await c.visitors.create({
      name: "日時 太郎", avatar: png(), mobile: "07055556667", remark: "", groups: [s.groups.find((g) => g.type === 2).id],
      receptionUserId: s.sample_ids.employees_with_photo[0], dateTimeFrom: from, dateTimeTo: to,
    });
    const jst = (d) => new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
    assertEqual([part(await lastRequest(env), "dateTimeFrom").value, v.dateTimeFrom, v.dateTimeTo], [jst(from), jst(from), jst(to)], "JST text");
    await c.visitors.delete(v.id);
  },

  async "denyList.create, update (id as a form field) and delete"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    const denyGroup = s.groups.find((g) => g.type === 3).id;
    const d = await c.denyList.create({ name: "拒否 一郎", groups: [denyGroup], mobile: "+81 90-1234-5678", avatar: png(), prompt: "警備員を呼んでください" });
    assertEqual([d.name, d.mobile, d.areaCode, d.createBy, d.lastType], ["拒否 一郎", "+81 90-1234-5678", "86", "OPEN API", 0], "created");
    assert(!d.createAt.includes(".0"), `createAt without .0: ${d.createAt}`);
    await clearRequestLog(env);
    const u = await c.denyList.update(d.id, { name: "拒否 二郎", remark: "更新", groups: [] });
    assertEqual([u.id, u.name, u.remark, u.groups], [d.id, "拒否 二郎", "更新", []], "updated");
    const entry = await lastRequest(env);
    assertEqual(`${entry.method} ${entry.path}`, "POST /api/v2/black/update", "update request");
    assertEqual(partNames(entry), ["id", "name", "groups", "remark"], "update parts");
    assertEqual(part(entry, "id").value, String(d.id), "id part");
    await c.denyList.delete(d.id);
    assertEqual((await lastRequest(env)).path, `/api/v2/black/delete/${d.id}`, "delete path");
    assertEqual((await c.persons.list({ id: d.id })).items, [], "gone");
  },

  async "denyList.moveIn (JSON body) and moveOut (query) change the person type"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    const employee = s.sample_ids.employees_with_photo[1];
    const denyGroup = s.groups.find((g) => g.type === 3).id;
    await clearRequestLog(env);
    assertEqual(await c.denyList.moveIn(employee, [denyGroup]), undefined, "moveIn result");
    const entry = await lastRequest(env);
    assertEqual(`${entry.method} ${entry.path}`, "POST /api/v2/black/move/in", "request");
    assertSigned(lib, env, entry);
    assertEqual([entry.body.kind, entry.body.value.userId, entry.body.value.groupIds], ["json", employee, [denyGroup]], "JSON body");
    assertEqual(entry.content_type, "application/json", "content type");
    const [moved] = (await c.persons.list({ id: employee })).items;
    assertEqual([moved.type, moved.lastType, moved.departmentId, moved.groups.map((g) => g.id)], [5, 1, 0, [denyGroup]], "in the deny list");
    await c.denyList.moveOut(employee);
    const out = await lastRequest(env);
    assertEqual([out.method, out.path, param(out, "id")], ["GET", "/api/v2/black/move/out", [String(employee)]], "moveOut request");
    const [back] = (await c.persons.list({ id: employee })).items;
    assertEqual([back.type, back.lastType], [1, 0], "back to employee");
  },

  async "persons.list filters, pages, and fills groups only for a single match"(lib, env) {
    const c = client(lib, env);
    const page = await c.persons.list({ type: 2, size: 7, page: 2 });
    assertEqual([page.page, page.size, page.items.length, page.nextPage], [2, 7, 7, 3], "page");
    assert(page.items.every((p) => p.type === 2 && p.groups === null), "visitors without groups on a multi-person page");
    const entry = await lastRequest(env);
    assertEqual([param(entry, "type"), param(entry, "page"), param(entry, "size")], [["2"], ["2"], ["7"]], "query");
    const one = await c.persons.list({ id: page.items[0].id });
    assertEqual(one.items.length, 1, "one match");
    assert(Array.isArray(one.items[0].groups) && one.items[0].groups.length > 0, "groups filled for a single match");
    assertEqual(one.nextPage, null, "last page");
    const named = await c.persons.list({ name: one.items[0].name.split(" ")[0], type: 2, size: 100 });
    assert(named.items.some((p) => p.id === one.items[0].id), "name filter");
    const s = await summary(env);
    const group = s.groups.find((g) => g.type === 1 && g.name !== "Default group").id;
    const inGroup = await c.persons.list({ groups: [group], size: 100 });
    assertEqual(param(await lastRequest(env), "groups"), [String(group)], "groups filter is one field");
    assert(inGroup.items.length > 0, "group filter matches");
  },

  async "persons.iterate walks every page until a short one"(lib, env) {
    const c = client(lib, env);
    const s = await summary(env);
    await clearRequestLog(env);
    const seen = [];
    for await (const p of c.persons.iterate({ type: 2, size: 20 })) seen.push(p.id);
    assertEqual(seen.length, s.persons.visitors, "every visitor");
    assertEqual(new Set(seen).size, seen.length, "no duplicates");
    const pages = (await requestLog(env, "/api/v1/user/list")).map((e) => param(e, "page")[0]);
    assertEqual(pages, ["1", "2", "3"], "pages requested");
  },

  async "persons.listAll: pages(), toArray({ limit }), onProgress, and a failed page resumes from error.page"(lib, env) {
    const c = client(lib, env, { maxRetries: 0 });
    const s = await summary(env);
    const progress = [];
    const all = await c.persons.listAll({ type: 2, size: 20 }, { onProgress: (p) => progress.push(p) }).toArray({ limit: 1000 });
    assertEqual(all.length, s.persons.visitors, "every visitor");
    assertEqual(progress.map((p) => [p.pages, p.nextPage]), [[1, 2], [2, 3], [3, null]], "progress after each page");
    assertEqual(progress.at(-1).items, all.length, "items so far");
    const sizes = [];
    for await (const page of c.persons.listAll({ type: 2, size: 20 }).pages()) sizes.push(page.items.length);
    assertEqual(sizes.reduce((a, b) => a + b, 0), all.length, "pages() covers the same items");
    assertEqual((await c.persons.listAll({ type: 2, size: 20 }).toArray({ limit: 25 })).length, 25, "limit");
    // Page 2 fails (retries off): the error says where to resume; resuming repeats nothing.
    const got = [];
    const walk = c.persons.listAll({ type: 2, size: 20 });
    const first = await walk.pages()[Symbol.asyncIterator]().next();
    got.push(...first.value.items);
    await admin(env, "/__admin/faults", { path_prefix: "/api/v1/user/list", count: 1, fault: "status=500" });
    const error = await expectError((async () => { for await (const p of c.persons.listAll({ type: 2, size: 20, page: 2 })) got.push(p); })(), "HTTP_STATUS");
    assertEqual([error.page, error.delivered], [2, 0], "resume point");
    for await (const p of c.persons.listAll({ type: 2, size: 20, page: error.page })) got.push(p);
    assertEqual(got.map((p) => p.id), all.map((p) => p.id), "resumed without gaps or repeats");
  },

  async "a server that ignores page stops the walk with DECODE instead of looping"(lib, env) {
    const ignoring = (url, init) => fetch(url.replace(/([?&])page=\d+/, "$1page=1"), init);
    const c = client(lib, env, { fetch: ignoring });
    const error = await expectError(c.persons.listAll({ type: 2, size: 20 }).toArray({ limit: 10_000 }), "DECODE", lib.HttpError);
    assert(error.message.includes("repeats page 1"), error.message);
    assertEqual([error.page, error.delivered], [2, 20], "where it stopped");
  },

  async "outputs are decoded leniently: list times lose .0, numbers stay numbers"(lib, env) {
    const [p] = (await client(lib, env).persons.list({ type: 1, size: 1 })).items;
    assert(typeof p.id === "number" && typeof p.companyId === "number", "numbers");
    assert(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(p.createAt), `createAt ${p.createAt}`);
    assert(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(p.dateTimeFrom), `dateTimeFrom ${p.dateTimeFrom}`);
    for (const key of ["id", "name", "type", "lastType", "avatar", "mobile", "groups", "icNumber", "jobNumber", "createAt", "updateAt"]) {
      assert(key in p, `person has ${key}`);
    }
  },
};
