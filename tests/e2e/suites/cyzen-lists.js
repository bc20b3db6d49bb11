// cyzen lists, writes and images against the sandbox with the static token: every resource's
// operations, every cursor kind, date windows, the /schedules 500, errors, resume from a cursor.
import { assert, assertEqual, clearRequestLog, expectError, requestLog } from "../harness.js";
import { config, formField, info, newStaticClient, param, queueFault, seconds, staticClient } from "./cyzen-common.js";

const DAY = 86_400;

// JS name → path, as in docs/cyzen-paths.md (the contract the sandbox serves).
const PATHS = {
  histories: "histories", trackings: "trackings", latestLocations: "members_statuses", spots: "spots",
  spotCustomers: "spot_customers", spotStaff: "spot_staffs", spotTagLinks: "spot_tag_links", spotTags: "spot_tags",
  groups: "groups", users: "users", userAffiliations: "user_affiliations", statuses: "statuses",
  actionTypes: "action_types", reportDefinitions: "report_definitions", reports: "reports", images: "images",
  schedules: "schedules", scheduleMembers: "schedule_members", transportExpenses: "transport_expenses",
  spotPhotos: "spot_photos", spotPhotoTags: "spot_photo_tags", spotClassifications: "spot_classifications",
  spotClassificationDefinitions: "spot_classification_definitions", spotPhotoMetadata: "spot_photo_metadata",
  userTags: "user_tags",
};

/** Walks a list's pages; returns the items and the request-log entries of the walk. */
async function walk(env, list, path) {
  await clearRequestLog(env);
  const items = [];
  for await (const page of list.pages()) items.push(...page.items);
  return { items, log: await requestLog(env, `/webapi/v0/${path}`) };
}

/** Checks that each request after the first echoed every next_* field of the previous answer. */
function assertCursorEcho(log, pages, keys) {
  assert(log.length >= 2, `several pages expected, got ${log.length}`);
  for (let i = 1; i < log.length; i++) {
    const previous = pages[i - 1];
    if (previous.next === null) continue; // a new window starts
    for (const key of keys) assertEqual(param(log[i], key), previous.next[key], `request ${i} ${key}`);
  }
}

async function pagesOf(list) {
  const pages = [];
  for await (const page of list.pages()) pages.push(page);
  return pages;
}

function ids(items, key) {
  const all = items.map((i) => i[key]);
  assertEqual(new Set(all).size, all.length, `unique ${key}s`);
  return all;
}

/** Run by `cyzen.js` (this module is also loaded as a suite of its own, with no checks). */
export const checks = {};

export const listsChecks = {
  "every resource has exactly the operations of the seed table (as the sandbox serves them)": async (lib, env) => {
    const client = staticClient(lib, env);
    const table = (await info(env)).paths;
    const letters = { list: "G", create: "A", update: "U", delete: "D", get: "G" };
    assertEqual(Object.keys(client).sort(), Object.keys(PATHS).sort(), "resources");
    for (const [name, path] of Object.entries(PATHS)) {
      const row = table.find((r) => r.path === `/${path}`);
      assert(row, `sandbox has /${path}`);
      const ops = Object.keys(client[name]).map((op) => letters[op]).sort().join("");
      assertEqual(ops, row.ops.split("").sort().join(""), `${name} operations`);
      assertEqual(lib.CYZEN_RESOURCES[name].length, row.ops.length, `${name} in CYZEN_RESOURCES`);
    }
  },

  "users: 200-record pages, next_user_id echoed, every user once": async (lib, env) => {
    const client = staticClient(lib, env);
    const pages = await pagesOf(client.users.list());
    const log = await requestLog(env, "/webapi/v0/users");
    assertEqual(pages.map((p) => p.items.length), [200, 200, 50], "page sizes");
    assertCursorEcho(log.slice(-3), pages, ["next_user_id"]);
    const all = ids(pages.flatMap((p) => p.items), "user_id");
    assertEqual(all.length, (await info(env)).counts.users, "all users");
    for (const entry of log) assertEqual(param(entry, "company_id"), env.cyzen.companyId, "company_id on every call");
  },

  "reports: both next_report_id and next_report_updated_at echoed over 7-day windows": async (lib, env) => {
    const { ranges, counts } = await info(env);
    const list = staticClient(lib, env).reports.list({ updated_from: ranges.reports.from, updated_to: ranges.reports.to });
    await clearRequestLog(env);
    const pages = await pagesOf(list);
    const log = await requestLog(env, "/webapi/v0/reports");
    assertCursorEcho(log, pages, ["next_report_id", "next_report_updated_at"]);
    assert(log.some((e) => param(e, "next_report_id")), "the report cursor was used");
    assertEqual(ids(pages.flatMap((p) => p.items), "report_id").length, counts.reports, "all reports");
    for (const e of log) assert(seconds(param(e, "updated_to")) - seconds(param(e, "updated_from")) <= 7 * DAY, "≤ 7 days");
  },

  "histories: a 31-day range goes as ≤ 15-day windows, next_history_created_at echoed, create_at decoded": async (lib, env) => {
    const { ranges, counts } = await info(env);
    const from = new Date((seconds(ranges.histories.from) - DAY) * 1000); // a Date: sent as UTC
    const { items, log } = await walk(env, staticClient(lib, env).histories.list({ from_date: from, to_date: ranges.histories.to }), "histories");
    const windows = [...new Set(log.map((e) => `${param(e, "from_date")}/${param(e, "to_date")}`))];
    assertEqual(windows.length, 3, "three windows for 31 days");
    for (const w of windows) {
      const [a, b] = w.split("/").map(seconds);
      assert(b - a <= 15 * DAY, `window ${w} ≤ 15 days`);
    }
    assertEqual(param(log[0], "from_date"), from.toISOString().slice(0, 19), "UTC YYYY-MM-DDThh:mm:ss");
    assert(log.some((e) => param(e, "next_history_created_at")), "history cursor echoed");
    assertEqual(ids(items, "history_id").length, counts.histories, "all histories once");
    assert(items.every((h) => typeof h.created_at === "string"), "created_at on every history");
    assert(items.some((h) => h.create_at && h.create_at === h.created_at), "create_at kept and copied");
  },

  "histories with the older next_history_id cursor": async (lib, env) => {
    await config(env, { legacy_history_cursor: true });
    try {
      const { ranges, counts } = await info(env);
      const { items, log } = await walk(env, staticClient(lib, env).histories.list({ from_date: ranges.histories.from, to_date: ranges.histories.to }), "histories");
      assert(log.some((e) => param(e, "next_history_id")), "next_history_id echoed");
      assertEqual(ids(items, "history_id").length, counts.histories, "all histories");
    } finally {
      await config(env, { legacy_history_cursor: false });
    }
  },

  "schedules: next_start_date echoed; the 500 day is walked as one-day windows": async (lib, env) => {
    const { ranges, counts, schedules_500_day: bugDay } = await info(env);
    const list = staticClient(lib, env).schedules.list({ from_date: ranges.schedules.from, to_date: ranges.schedules.to, get_deleted: true });
    await clearRequestLog(env);
    const pages = await pagesOf(list);
    const log = await requestLog(env, "/webapi/v0/schedules");
    const failed = log.filter((e) => e.status === 500);
    assertEqual(failed.length, 1, "one 500, not retried with backoff");
    const bug = seconds(bugDay);
    const overBugDay = log.filter((e) => e.status === 200 && seconds(param(e, "from_date")) <= bug + DAY - 1 && seconds(param(e, "to_date")) >= bug);
    assert(overBugDay.every((e) => seconds(param(e, "to_date")) - seconds(param(e, "from_date")) < DAY), "one-day windows over the bad day");
    assert(log.some((e) => param(e, "next_start_date")), "next_start_date echoed");
    assertEqual(param(log[0], "get_deleted"), "1", "flag sent as 1");
    assertEqual(ids(pages.flatMap((p) => p.items), "schedule_id").length, counts.schedules, "all schedules once");
  },

  "spots: next_spot_id over update windows; a filter by id": async (lib, env) => {
    const { ranges, counts } = await info(env);
    const { items, log } = await walk(env, staticClient(lib, env).spots.list({ updated_from: ranges.spots.from, updated_to: ranges.spots.to }), "spots");
    assertEqual(ids(items, "spot_id").length, counts.spots, "all spots");
    assert(log.length >= 9, "60 days → at least nine 7-day windows");
    const one = await staticClient(lib, env).spots.list({ spot_id: items[7].spot_id }).toArray({ limit: 5 });
    assertEqual(one.map((s) => s.spot_id), [items[7].spot_id], "by id");
  },

  "every other list answers under its list key": async (lib, env) => {
    const client = staticClient(lib, env);
    const { counts } = await info(env);
    const small = ["latestLocations", "spotCustomers", "spotStaff", "spotTags", "groups", "statuses", "actionTypes",
      "reportDefinitions", "scheduleMembers", "transportExpenses", "spotPhotos", "spotPhotoTags", "spotClassifications",
      "spotClassificationDefinitions", "spotPhotoMetadata", "userTags", "trackings"];
    for (const name of small) {
      const items = await client[name].list().toArray({ limit: 100_000 });
      const expected = counts[PATHS[name]];
      if (name !== "trackings") assertEqual(items.length, expected, `${name} count`);
      else assert(items.length > 0, "trackings (server default: the last 15 days)");
    }
    const latest = await client.latestLocations.list().toArray({ limit: 1 });
    assertEqual(latest[0].history.created_at, latest[0].history.create_at, "nested create_at decoded");
  },

  "reports are filtered by report_definition_id on the client (never sent)": async (lib, env) => {
    const { ranges } = await info(env);
    const client = staticClient(lib, env);
    const [definition] = await client.reportDefinitions.list().toArray({ limit: 1 });
    const filter = { updated_from: ranges.reports.from, updated_to: ranges.reports.to };
    const all = await client.reports.list(filter).toArray({ limit: 10_000 });
    await clearRequestLog(env);
    const only = await client.reports.list({ ...filter, report_definition_id: definition.report_definition_id }).toArray({ limit: 10_000 });
    const expected = all.filter((r) => r.report_definition_id === definition.report_definition_id);
    assert(only.length > 0 && only.length < all.length, "a proper subset");
    assertEqual(only.map((r) => r.report_id), expected.map((r) => r.report_id), "same reports");
    assert((await requestLog(env, "/webapi/v0/reports")).every((e) => param(e, "report_definition_id") === undefined), "not sent");
  },

  "bad input fails with INVALID_INPUT before anything is sent": async (lib, env) => {
    const client = staticClient(lib, env);
    await clearRequestLog(env);
    const cases = [
      [client.spots.list({ spot_nmae: "x" }), "filter.spot_nmae"],
      [client.spots.list({ updated_from: "2024-05-02", updated_to: "2024-05-01" }), "filter.updated_from"],
      [client.reports.list({ from_date: "2024-05-01" }), "filter.from_date"],
      [client.histories.list({ from_date: "last week" }), "filter.from_date"],
      [client.users.list({}, { cursor: { bogus: "1" } }), "cursor.bogus"],
    ];
    for (const [list, field] of cases) {
      const error = await expectError(list.toArray({ limit: 1 }), "INVALID_INPUT", lib.InvalidInputError);
      assertEqual(error.field, field, "field");
    }
    const noLimit = await expectError(Promise.resolve().then(() => client.users.list().toArray({})), "INVALID_INPUT", lib.InvalidInputError);
    assertEqual(noLimit.field, "limit", "toArray needs a limit");
    await expectError(client.spots.update("", { comment: "x" }), "INVALID_INPUT", lib.InvalidInputError);
    let thrown;
    try {
      new lib.CyzenClient({ baseUrl: env.cyzen.baseUrl, auth: { staticToken: env.cyzen.staticToken } });
    } catch (error) {
      thrown = error;
    }
    assertEqual([thrown?.code, thrown?.field], ["INVALID_INPUT", "companyId"], "missing companyId");
    assertEqual((await requestLog(env, "/webapi")).length, 0, "nothing sent");
  },

  "400/40000 is CYZEN_VALIDATION with the server's message; errors[] in a 200 is CYZEN_API": async (lib, env) => {
    const client = staticClient(lib, env);
    const validation = await expectError(client.users.list({ field: "everything" }).toArray({ limit: 1 }), "CYZEN_VALIDATION", lib.CyzenError);
    assertEqual(validation.status, 400, "status");
    assertEqual(validation.apiCode, 40000, "apiCode");
    assert(validation.message.includes("field must be 'all'"), `server message kept: ${validation.message}`);
    assertEqual(validation.errors[0].err_code, 40000, "errors[]");
    const in200 = await expectError(client.spots.list({ spot_code: "__errors_in_200__" }).toArray({ limit: 1 }), "CYZEN_API", lib.CyzenError);
    assertEqual(in200.status, 200, "HTTP 200 with errors[]");
  },

  "a page that fails carries its cursor; resuming from it repeats and loses nothing": async (lib, env) => {
    const client = staticClient(lib, env);
    const seen = [];
    let failure;
    const progress = [];
    try {
      for await (const page of client.users.list({}, { onProgress: (p) => progress.push(p) }).pages()) {
        seen.push(...page.items);
        if (seen.length === 200) await queueFault(env, "/webapi/v0/users", "status=404");
      }
    } catch (error) {
      failure = error;
    }
    assertEqual(failure?.code, "HTTP_STATUS", "the failed page's error");
    assertEqual(failure.delivered, 200, "delivered before the failure");
    assert(failure.cursor?.next_user_id, "cursor on the error");
    assertEqual(progress.map((p) => p.items), [200], "onProgress after each page");
    assertEqual(progress[0].next, failure.cursor, "the failed page was the announced next one");
    const rest = await client.users.list({}, { cursor: failure.cursor }).toArray({ limit: 1000 });
    const all = ids([...seen, ...rest], "user_id");
    assertEqual(all.length, (await info(env)).counts.users, "nothing lost, nothing repeated");
  },

  "a windowed list resumes in the right window": async (lib, env) => {
    const { ranges } = await info(env);
    const client = staticClient(lib, env);
    const filter = { updated_from: ranges.reports.from, updated_to: ranges.reports.to };
    const full = await client.reports.list(filter).toArray({ limit: 10_000 });
    let failure;
    let seen = [];
    try {
      for await (const page of client.reports.list(filter).pages()) {
        seen.push(...page.items);
        if (page.next && page.next.next_report_id === undefined) await queueFault(env, "/webapi/v0/reports", "status=418");
      }
    } catch (error) {
      failure = error;
    }
    assert(failure && failure.cursor.updated_from, `a window cursor: ${JSON.stringify(failure?.cursor)}`);
    seen = [...seen, ...(await client.reports.list(filter, { cursor: failure.cursor }).toArray({ limit: 10_000 }))];
    assertEqual(ids(seen, "report_id").sort(), full.map((r) => r.report_id).sort(), "same reports");
  },

  "for await stops fetching at break; toArray stops at its limit": async (lib, env) => {
    const client = staticClient(lib, env);
    await clearRequestLog(env);
    let n = 0;
    for await (const user of client.users.list()) {
      assert(user.user_id, "item");
      if (++n === 5) break;
    }
    assertEqual((await requestLog(env, "/webapi/v0/users")).length, 1, "one request for a break after 5");
    await clearRequestLog(env);
    assertEqual((await client.users.list().toArray({ limit: 250 })).length, 250, "limit");
    assertEqual((await requestLog(env, "/webapi/v0/users")).length, 2, "two pages for 250");
  },

  "spots are written form-encoded with the write names and read back with the read names": async (lib, env) => {
    const client = staticClient(lib, env);
    await clearRequestLog(env);
    const created = await client.spots.create({
      spot_name: "e2e 本社", spot_name_kana: "イーツーイーホンシャ", latitude: 35.6717, lon: 139.767,
      valid_from: new Date(Date.UTC(2024, 4, 1, 9, 0, 0)), extend_data: { rank: "A" },
    });
    assert(created.spot_id, "spot_id answered");
    const [post] = await requestLog(env, "/webapi/v0/spots");
    assertEqual(post.content_type.split(";")[0], "application/x-www-form-urlencoded", "form body");
    assertEqual(post.body.fields.map((f) => f.name),
      ["company_id", "spot_name", "kana_name", "lat", "lon", "valid_from", "extend_data"], "write names");
    assertEqual(formField(post, "valid_from"), "2024-05-01T09:00:00", "UTC datetime");
    assertEqual(formField(post, "extend_data"), '{"rank":"A"}', "JSON string");
    await client.spots.update(created.spot_id, { comment: "駐車場あり" });
    const [spot] = await client.spots.list({ spot_id: created.spot_id }).toArray({ limit: 1 });
    assertEqual([spot.spot_name_kana, spot.latitude, spot.comment], ["イーツーイーホンシャ", 35.6717, "駐車場あり"], "read back");
    const put = (await requestLog(env, "/webapi/v0/spots")).find((e) => e.method === "PUT");
    assertEqual(formField(put, "spot_id"), created.spot_id, "PUT carries the id in the body");
    assertEqual(await client.spots.delete(created.spot_id), undefined, "delete resolves with nothing");
    const del = (await requestLog(env, "/webapi/v0/spots")).find((e) => e.method === "DELETE");
    assertEqual(param(del, "spot_id"), created.spot_id, "DELETE carries the id in the query");
    assertEqual((await client.spots.list({ spot_id: created.spot_id }).toArray({ limit: 1 })).length, 0, "gone");
  },

  "writes of the other resources (groups, users, affiliations, schedules and members)": async (lib, env) => {
    const client = staticClient(lib, env);
    const { group_id } = await client.groups.create({ group_name: "e2e グループ", group_code: "E2E" });
    await client.groups.update(group_id, { group_name: "e2e グループ2" });
    const { user_id } = await client.users.create({ user_login_id: `e2e-${Date.now()}@example.jp`, user_name: "e2e 太郎" });
    const { user_affiliation_id } = await client.userAffiliations.create({ user_id, group_id });
    const [user] = await client.users.list({ user_id, field: "all" }).toArray({ limit: 1 });
    assert(user.groups.some((g) => g.group_id === group_id && g.group_name === "e2e グループ2"), "affiliation reflected");
    await client.userAffiliations.delete(user_affiliation_id);
    const start = new Date(Date.UTC(2030, 0, 6, 1, 0, 0));
    const { schedule_id } = await client.schedules.create({ title: "e2e 訪問", start_date: start, end_date: new Date(start.getTime() + 3_600_000), user_id });
    const other = (await client.users.list().toArray({ limit: 2 })).find((u) => u.user_id !== user_id);
    const { schedule_member_id } = await client.scheduleMembers.create({ schedule_id, user_id: other.user_id });
    await client.scheduleMembers.delete(schedule_member_id);
    await client.schedules.delete(schedule_id);
    await client.users.delete(user_id);
    await client.groups.delete(group_id);
  },

  "images come back as a Blob with their content type": async (lib, env) => {
    const { image_ids: [imageId] } = await info(env);
    const blob = await staticClient(lib, env).images.get(imageId);
    assert(blob instanceof Blob, "a Blob");
    assertEqual(blob.type, "image/png", "content type");
    const head = new Uint8Array(await blob.arrayBuffer()).slice(0, 4);
    assertEqual([...head], [0x89, 0x50, 0x4e, 0x47], "PNG bytes, not text");
    const missing = await expectError(staticClient(lib, env).images.get("0".repeat(32)), "CYZEN_API", lib.CyzenError);
    assertEqual(missing.status, 404, "status");
  },

  "signal and timeoutMs apply to every call": async (lib, env) => {
    const client = staticClient(lib, env);
    const controller = new AbortController();
    controller.abort();
    await expectError(client.groups.list({}, { signal: controller.signal }).toArray({ limit: 1 }), "ABORTED", lib.TransportError);
    await queueFault(env, "/webapi/v0/groups", "latency=3000");
    await expectError(client.groups.create({ group_name: "slow" }, { timeoutMs: 300 }), "TIMEOUT", lib.TransportError);
  },

  "a path override is used (and the list falls back to the first array when the key differs)": async (lib, env) => {
    const client = newStaticClient(lib, env, { paths: { userTags: { path: "/user_tags", listKey: "tags_elsewhere" } } });
    const tags = await client.userTags.list().toArray({ limit: 100 });
    assertEqual(tags.length, (await info(env)).counts.user_tags, "user tags");
    await clearRequestLog(env);
    const moved = newStaticClient(lib, env, { paths: { userTags: "/no_such_path" } });
    await expectError(moved.userTags.list().toArray({ limit: 1 }), "CYZEN_API", lib.CyzenError);
    assertEqual((await requestLog(env, "/webapi/v0/no_such_path")).length, 1, "the override was called");
  },
};
