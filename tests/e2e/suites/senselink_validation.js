// SenseLink client-side validation: every documented rule of seed 2.4 (required fields per edition,
// length limits counted in characters, date formats, gender values, ids, paging) and the photo
// rules (4 MB, JPEG/PNG sniffed from the first bytes) fail with INVALID_INPUT naming the field and
// the rule — and the request log shows that nothing reached the server.
import { assert, assertEqual, expectError } from "../harness.js";
import { assertNothingSent, client, jpeg, png, summary, visitTime } from "./senselink.js";

async function invalid(lib, promise, field, message) {
  const error = await expectError(promise, "INVALID_INPUT", lib.InvalidInputError);
  assertEqual(error.field, field, "field");
  if (message !== undefined) assertEqual(error.message, `${field}: ${message}`, "message");
  return error;
}

function visitor(extra = {}) {
  return {
    name: "来訪 太郎", avatar: png(), mobile: "09012345678", remark: "", groups: [], receptionUserId: 1,
    dateTimeFrom: visitTime(1), dateTimeTo: visitTime(2), ...extra,
  };
}

const long = (n, ch = "あ") => ch.repeat(n);

export const checks = {
  async "employee rules: name required and not empty, lengths in characters, dates, gender, ids"(lib, env) {
    const c = client(lib, env);
    await assertNothingSent(env, async () => {
      await invalid(lib, c.employees.create({}), "name", "is required");
      await invalid(lib, c.employees.create({ name: "" }), "name", "may not be empty");
      await invalid(lib, c.employees.create({ name: "a", icNumber: long(21) }), "icNumber", "at most 20 characters (got 21)");
      await invalid(lib, c.employees.create({ name: "a", jobNumber: long(46) }), "jobNumber", "at most 45 characters (got 46)");
      await invalid(lib, c.employees.create({ name: "a", mobile: long(23, "0") }), "mobile", "at most 20 characters (got 23)");
      await invalid(lib, c.employees.create({ name: "a", remark: long(256) }), "remark", "at most 255 characters (got 256)");
      await invalid(lib, c.employees.create({ name: "a", mail: long(46, "m") }), "mail", "at most 45 characters (got 46)");
      await invalid(lib, c.employees.create({ name: "a", position: long(46) }), "position", "at most 45 characters (got 46)");
      await invalid(lib, c.employees.create({ name: "a", location: long(46) }), "location", "at most 45 characters (got 46)");
      await invalid(lib, c.employees.create({ name: "a", idNumber: "12345" }), "idNumber", "must be 6 to 30 characters (got 5)");
      await invalid(lib, c.employees.create({ name: "a", idNumber: long(31, "1") }), "idNumber", "must be 6 to 30 characters (got 31)");
      await invalid(lib, c.employees.create({ name: "a", birthday: "2019/06/15" }), "birthday", 'must be a date YYYY-MM-DD (got "2019/06/15")');
      await invalid(lib, c.employees.create({ name: "a", entryTime: "2023-02-29" }), "entryTime", 'must be a date YYYY-MM-DD (got "2023-02-29")');
      await invalid(lib, c.employees.create({ name: "a", gender: 0 }), "gender", "must be 1 (female) or 2 (male) (got 0)");
      await invalid(lib, c.employees.create({ name: "a", departmentId: -1 }), "departmentId");
      await invalid(lib, c.employees.create({ name: "a", groups: [1, "x"] }), "groups[1]", 'must be a positive integer id (got "x")');
      await invalid(lib, c.employees.create({ name: "a", force: "yes" }), "force");
      await invalid(lib, c.employees.create({ name: 42 }), "name", "must be a string (got 42)");
      await invalid(lib, c.employees.create({ name: "a", jobnumber: "x" }), "jobnumber", "is not a parameter of employees.create");
    });
  },

  async "limits count characters, not bytes: 20 Japanese characters fit in icNumber"(lib, env) {
    const c = client(lib, env);
    // 20 characters = 60 UTF-8 bytes; accepted by the client (and the server).
    const person = await c.employees.create({ name: "文字数", icNumber: long(20, "番") });
    assertEqual(person.icNumber, long(20, "番"), "icNumber");
  },

  async "GE Enterprise requires icNumber, jobNumber, mobile and remark on new employees, and name on updates"(lib, env) {
    const c = client(lib, env, { edition: "enterprise" });
    const complete = { name: "GE", icNumber: "", jobNumber: "", mobile: "", remark: "" };
    await assertNothingSent(env, async () => {
      for (const field of ["icNumber", "jobNumber", "mobile", "remark"]) {
        const input = { ...complete };
        delete input[field];
        await invalid(lib, c.employees.create(input), field, 'is required ("" is allowed)');
      }
      await invalid(lib, c.employees.update(1, { mobile: "1" }), "name", "is required");
      await invalid(lib, c.persons.list({ departmentId: 3 }), "departmentId");
      await invalid(lib, c.persons.list({ groups: [3] }), "groups");
    });
  },

  async "employee updates: id must be a positive integer; name may be omitted but not emptied"(lib, env) {
    const c = client(lib, env);
    await assertNothingSent(env, async () => {
      await invalid(lib, c.employees.update(0, {}), "id", "must be a positive integer id (got 0)");
      await invalid(lib, c.employees.update("12a", {}), "id", 'must be a positive integer id (got "12a")');
      await invalid(lib, c.employees.update(5, { name: "" }), "name", "may not be empty");
      await invalid(lib, c.employees.delete(-3), "id");
      await invalid(lib, c.employees.avatarsUpdatedOn("2025/04/01"), "date", 'must be a date YYYY-MM-DD (got "2025/04/01")');
    });
  },

  async "visitor rules: photo, mobile, remark, groups, reception user and the visit window are required"(lib, env) {
    const c = client(lib, env);
    await assertNothingSent(env, async () => {
      await invalid(lib, c.visitors.create(visitor({ avatar: undefined })), "avatar", "is required (a JPEG or PNG face photo of at most 4 MB)");
      await invalid(lib, c.visitors.create(visitor({ name: long(46) })), "name", "at most 45 characters (got 46)");
      await invalid(lib, c.visitors.create(visitor({ mobile: "" })), "mobile", "may not be empty");
      await invalid(lib, c.visitors.create(visitor({ mobile: undefined })), "mobile", "is required");
      await invalid(lib, c.visitors.create(visitor({ remark: undefined })), "remark", 'is required ("" is allowed)');
      await invalid(lib, c.visitors.create(visitor({ groups: undefined })), "groups", "is required ([] for none)");
      await invalid(lib, c.visitors.create(visitor({ receptionUserId: undefined })), "receptionUserId", "is required");
      await invalid(lib, c.visitors.create(visitor({ dateTimeFrom: "2025-04-01T10:00:00" })), "dateTimeFrom",
        'must be a date and time YYYY-MM-DD hh:mm:ss (got "2025-04-01T10:00:00")');
      await invalid(lib, c.visitors.create(visitor({ dateTimeTo: "" })), "dateTimeTo", "may not be empty");
      await invalid(lib, c.visitors.create(visitor({ dateTimeFrom: "2025-04-01 12:00:00", dateTimeTo: "2025-04-01 11:00:00" })), "dateTimeTo",
        "must not be earlier than dateTimeFrom (2025-04-01 11:00:00 < 2025-04-01 12:00:00)");
      for (const [field, max] of [["guestCompany", 45], ["position", 45], ["guestPurpose", 45], ["mail", 45], ["icNumber", 20], ["level", 20], ["prompt", 45]]) {
        await invalid(lib, c.visitors.create(visitor({ [field]: long(max + 1) })), field, `at most ${max} characters (got ${max + 1})`);
      }
      await invalid(lib, c.visitors.create(visitor({ idNumber: "1" })), "idNumber", "must be 6 to 30 characters (got 1)");
      await invalid(lib, c.visitors.create(visitor({ birthday: "17/06/2019" })), "birthday");
      await invalid(lib, c.visitors.create(visitor({ gender: 3 })), "gender");
      const update = { name: "x", groups: [], receptionUserId: 1, dateTimeFrom: visitTime(1), dateTimeTo: visitTime(2) };
      await invalid(lib, c.visitors.update(9, { ...update, mobile: "" }), "mobile", "may not be empty");
      await invalid(lib, c.visitors.update(9, { ...update, groups: undefined }), "groups", "is required ([] for none)");
      await invalid(lib, c.visitors.update(9, { ...update, name: undefined }), "name", "is required");
    });
  },

  async "deny-list rules: name ≤ 45, areaCode ≤ 8 digits, prompt and remark ≤ 255; update needs name; move-in needs ids"(lib, env) {
    const c = client(lib, env);
    await assertNothingSent(env, async () => {
      await invalid(lib, c.denyList.create({}), "name", "is required");
      await invalid(lib, c.denyList.create({ name: long(46) }), "name", "at most 45 characters (got 46)");
      await invalid(lib, c.denyList.create({ name: "a", areaCode: "123456789" }), "areaCode", "at most 8 characters (got 9)");
      await invalid(lib, c.denyList.create({ name: "a", areaCode: "+81" }), "areaCode", 'digits only (got "+81")');
      await invalid(lib, c.denyList.create({ name: "a", mobile: long(21, "1") }), "mobile", "at most 20 characters (got 21)");
      await invalid(lib, c.denyList.create({ name: "a", mail: long(46, "m") }), "mail");
      await invalid(lib, c.denyList.create({ name: "a", icNumber: long(21) }), "icNumber");
      await invalid(lib, c.denyList.create({ name: "a", prompt: long(256) }), "prompt", "at most 255 characters (got 256)");
      await invalid(lib, c.denyList.create({ name: "a", remark: long(256) }), "remark", "at most 255 characters (got 256)");
      await invalid(lib, c.denyList.create({ name: "a", birthday: "1990-1-1" }), "birthday");
      await invalid(lib, c.denyList.update(3, {}), "name", "is required");
      await invalid(lib, c.denyList.moveIn(1, undefined), "groupIds", "is required ([] for no deny-list group)");
      await invalid(lib, c.denyList.moveIn(undefined, []), "userId", "is required");
      await invalid(lib, c.denyList.moveIn(1, [0]), "groupIds[0]", "must be a positive integer id (got 0)");
      await invalid(lib, c.denyList.moveOut("x"), "id");
    });
  },

  async "person search rules: type 1/2/5, page ≥ 1, size 1–100"(lib, env) {
    const c = client(lib, env);
    await assertNothingSent(env, async () => {
      await invalid(lib, c.persons.list({ type: 3 }), "type", "must be one of 1, 2, 5 (got 3)");
      await invalid(lib, c.persons.list({ size: 101 }), "size", "must be an integer from 1 to 100 (got 101)");
      await invalid(lib, c.persons.list({ size: 0 }), "size");
      await invalid(lib, c.persons.list({ page: 0 }), "page");
      await invalid(lib, c.persons.list({ id: "abc" }), "id");
      const iterator = c.persons.iterate({ size: 500 });
      await invalid(lib, iterator.next(), "size");
    });
  },

  async "photo over 4 MB is refused before sending, naming the limit"(lib, env) {
    const c = client(lib, env);
    const big = new Blob([png(4 * 1024 * 1024 + 1)], { type: "image/png" });
    await assertNothingSent(env, async () => {
      const error = await invalid(lib, c.employees.create({ name: "a", avatar: big }), "avatar");
      assert(error.message.includes("4194305 bytes") && error.message.includes("limit is 4 MB"), error.message);
      await invalid(lib, c.recognition.check(png(5 * 1024 * 1024)), "avatar");
    });
  },

  async "photo that is not JPEG or PNG is refused, sniffed from its first bytes whatever its type says"(lib, env) {
    const c = client(lib, env);
    const gif = new File([new TextEncoder().encode("GIF89a......")], "face.jpg", { type: "image/jpeg" });
    await assertNothingSent(env, async () => {
      const error = await invalid(lib, c.employees.create({ name: "a", avatar: gif }), "avatar");
      assertEqual(error.message, "avatar: must be a JPEG or PNG image (its first bytes look like a GIF image)", "message");
      await invalid(lib, c.denyList.create({ name: "a", avatar: new TextEncoder().encode("hello") }), "avatar",
        "must be a JPEG or PNG image (its first bytes are neither JPEG nor PNG)");
      await invalid(lib, c.employees.create({ name: "a", avatar: new Blob([]) }), "avatar", "is empty; give a JPEG or PNG face photo");
      await invalid(lib, c.employees.create({ name: "a", avatar: "face.jpg" }), "avatar", "must be a Blob, File, Uint8Array or ArrayBuffer");
      await invalid(lib, c.employees.create({ name: "a", avatar: jpeg(), extra: 1 }), "extra", "is not a parameter of employees.create");
    });
  },

  async "options are checked when the client is made"(lib, env) {
    const make = (options) => {
      try {
        new lib.SenseLinkClient(options);
      } catch (error) {
        assert(error instanceof lib.InvalidInputError, `InvalidInputError, got ${error}`);
        return error;
      }
      throw new Error(`accepted ${JSON.stringify(options)}`);
    };
    assertEqual(make({ appKey: "k", appSecret: "s" }).field, "baseUrl", "missing baseUrl");
    assertEqual(make({ baseUrl: "link.japancv.co.jp", appKey: "k", appSecret: "s" }).field, "baseUrl", "relative baseUrl");
    assertEqual(make({ baseUrl: env.sandboxUrl, appKey: "k" }).field, "appSecret", "missing secret");
    assertEqual(make({ baseUrl: env.sandboxUrl, appSecret: "s" }).field, "appKey", "missing key");
    assertEqual(make({ baseUrl: env.sandboxUrl, appKey: "k", appSecret: "s", edition: "pro" }).field, "edition", "edition");
    assertEqual(make({ baseUrl: env.sandboxUrl, appKey: "k", appSecret: "s", timeoutMs: 0 }).field, "timeoutMs", "timeout");
    const secret = "do-not-ship-this-secret";
    const error = make({ baseUrl: "https://w.example/senselink", proxy: true, appSecret: secret });
    assertEqual(error.field, "appSecret", "secret in proxy mode");
    assert(!error.message.includes(secret), "the secret is not echoed");
    // Proxy mode needs no credentials, and a path on the page's origin is a valid base.
    new lib.SenseLinkClient({ baseUrl: "/senselink", proxy: true });
    // Nothing above reached the network.
    await assertNothingSent(env, async () => {});
  },

  async "a valid call after all of that is still signed and accepted"(lib, env) {
    const s = await summary(env);
    const page = await client(lib, env).persons.list({ size: 1 });
    assertEqual(page.items.length, 1, "one person");
    assert(s.persons.total > 0, "seeded");
  },
};
