// One cyzen token shared by many client instances (standing in for Worker isolates: each has its
// own pacer and its own OAuth state) through the CyzenTokenCoordinator Durable Object, against the
// sandbox's strict 5-per-sliding-second window. Counts requests, windows and over-limit answers;
// the one duration checked is the throughput over a 20-second run, measured by the sandbox.
import { assert, assertEqual, clearRequestLog, requestLog } from "../harness.js";
import { config, info, newStaticClient, oauthClient, oauthOptions, resetStats, signIn, sleep, stats } from "./cyzen-common.js";

// Needs a Durable Object binding, which only the workerd run has.
export const runtimes = ["workerd"];

let run = 0;
/** A coordinator of its own for each check (a fresh object: no state from an earlier check). */
function coordinatorOf(lib, env, options = {}) {
  run += 1;
  return lib.durableObjectCoordinator(env.coordinatorNamespace, { name: `check-${Date.now()}-${run}`, ...options });
}

/** Lets the sandbox's window of earlier checks run out, then zeroes its counters. */
async function quiet(env) {
  await sleep(1200);
  await resetStats(env);
}

/** Walks every user page again and again until `ms` have passed; each walk must see every user once. */
async function walkUsersFor(client, ms, expected) {
  const end = Date.now() + ms;
  let walks = 0;
  while (Date.now() < end) {
    const seen = new Set();
    let count = 0;
    for await (const user of client.users.list()) {
      seen.add(user.user_id);
      count += 1;
    }
    assertEqual([count, seen.size], [expected, expected], "one walk: every user exactly once");
    walks += 1;
  }
  return walks;
}

/** A token store over a shared map, as one isolate's own object (isolates share storage, not objects). */
function storeOver(map) {
  return { load: (key) => map.get(key) ?? null, save: (key, value) => void (value === null ? map.delete(key) : map.set(key, value)) };
}

export const checks = {
  "eight instances through the object: no over-limit answer, ≥ 90 % of 5/s for 20 s, every record once": async (lib, env) => {
    const users = (await info(env)).counts.users;
    const coordinator = coordinatorOf(lib, env);
    const clients = Array.from({ length: 8 }, () => newStaticClient(lib, env, { coordinator, maxRetries: 0 }));
    await quiet(env);
    const started = Date.now();
    const walks = await Promise.all(clients.map((client) => walkUsersFor(client, 20_000, users)));
    const elapsedS = (Date.now() - started) / 1000;
    const s = await stats(env);
    assertEqual(s.rejected, 0, "over-limit answers");
    assert(s.max_in_1s <= 5, `max in any 1-s window: ${s.max_in_1s}`);
    const perSecond = s.accepted / elapsedS;
    assert(elapsedS >= 20, `ran ${elapsedS} s`);
    assert(perSecond >= 4.5, `aggregate ${perSecond.toFixed(2)} calls/s (≥ 90 % of 5/s wanted)`);
    assert(walks.every((n) => n >= 1), `walks per instance: ${walks}`);
  },

  "the same eight without the object: the over-limit answers it prevents": async (lib, env) => {
    const users = (await info(env)).counts.users;
    const clients = Array.from({ length: 8 }, () => newStaticClient(lib, env));
    await quiet(env);
    await Promise.all(clients.map((client) => walkUsersFor(client, 3000, users)));
    const s = await stats(env);
    assert(s.rejected > 0, `8 pacers of 5/s each on one token: ${s.rejected} over-limit answers (retried)`);
  },

  "concurrent expiry across eight instances: one refresh reaches the token endpoint, every instance adopts it": async (lib, env) => {
    const shared = new Map();
    const coordinator = coordinatorOf(lib, env);
    const { tokens } = await signIn(lib, env, { store: storeOver(shared) });
    // Eight isolates: each its own store object (so its own OAuth state) over the same storage.
    const instances = Array.from({ length: 8 }, () => new lib.CyzenOAuth(oauthOptions(env, { store: storeOver(shared), coordinator })));
    for (const oauth of instances) assertEqual((await oauth.getTokens())?.accessToken, tokens.accessToken, "loaded");
    await fetch(`${env.sandboxUrl}/__admin/cyzen/expire`, { method: "POST", body: JSON.stringify({ access_token: tokens.accessToken }) });
    await clearRequestLog(env);
    const lists = await Promise.all(instances.map((oauth) => oauthClient(lib, env, oauth).statuses.list().toArray({ limit: 1 })));
    assertEqual(lists.length, 8, "every call completed");
    const refreshes = (await requestLog(env, "/oauth/token")).length;
    assertEqual(refreshes, 1, "requests to the token endpoint");
    const rotated = (await instances[0].getTokens())?.accessToken;
    assert(rotated && rotated !== tokens.accessToken, "rotated");
    for (const oauth of instances) assertEqual((await oauth.getTokens())?.accessToken, rotated, "every instance holds the rotated tokens");
    await config(env, { auto_approve: false });
  },

  "object unreachable: calls complete within their deadlines at no more than the fallback rate, and say so": async (lib, env) => {
    const down = { idFromName: (name) => name, get: () => ({ fetch: () => Promise.reject(new Error("object down")) }) };
    const fallbacks = [];
    const coordinator = lib.durableObjectCoordinator(down, { name: `down-${Date.now()}`, fallbackShare: 0.4 });
    const clients = Array.from({ length: 3 }, () =>
      newStaticClient(lib, env, { coordinator, timeoutMs: 15_000, onFallback: (e) => fallbacks.push(e) }));
    await quiet(env);
    const done = await Promise.all(clients.map(async (client) => {
      for (let i = 0; i < 3; i++) await client.userTags.list().toArray({ limit: 1 });
      return true;
    }));
    assertEqual(done, [true, true, true], "every call completed");
    const s = await stats(env);
    assertEqual([s.accepted, s.rejected], [9, 0], "accepted / rejected");
    assert(s.max_in_1s <= 2, `fallback share 0.4 of 5/s in this isolate: max in any 1-s window ${s.max_in_1s}`);
    assertEqual(fallbacks.length, 9, "onFallback for every call");
    assert(fallbacks.every((e) => e.what === "pacing" && typeof e.reason === "string" && e.operation === "userTags.list"), JSON.stringify(fallbacks[0]));
  },

  "a call whose deadline ends while it waits for the object's slot fails with TIMEOUT, and nothing is left held": async (lib, env) => {
    const coordinator = coordinatorOf(lib, env);
    const client = newStaticClient(lib, env, { coordinator, requestsPerSecond: 1 });
    await quiet(env);
    await client.userTags.list().toArray({ limit: 1 });
    const error = await client.userTags.list().toArray({ limit: 1 }).then(() => null, (e) => e);
    // The object's window allows 1/s; the call gives 300 ms.
    const late = await client.userTags.list({}, { timeoutMs: 300 }).toArray({ limit: 1 }).then(() => null, (e) => e);
    assertEqual(error, null, "the second call waited its turn");
    assertEqual(late?.code, "TIMEOUT", "the short call");
    await sleep(1100);
    await client.userTags.list().toArray({ limit: 1 });
  },

  "three page clients behind three proxies (isolates) through one object: no over-limit answer": async (lib, env) => {
    const coordinator = coordinatorOf(lib, env);
    const pages = Array.from({ length: 3 }, () => {
      const proxy = lib.createCyzenProxy({ baseUrl: env.cyzen.baseUrl, companyId: env.cyzen.companyId,
        auth: { staticToken: env.cyzen.staticToken }, authorize: () => true, coordinator });
      // Each page's own client paces its tab to 5/s: together they would send 15/s.
      return new lib.CyzenClient({ baseUrl: "https://app.example/cyzen", auth: { proxy: true },
        fetch: (url, init) => proxy(new Request(url, init)) });
    });
    await quiet(env);
    await Promise.all(pages.flatMap((client) => Array.from({ length: 8 }, () => client.userTags.list().toArray({ limit: 1 }))));
    const s = await stats(env);
    assertEqual([s.accepted, s.rejected], [24, 0], "accepted / rejected");
    assert(s.max_in_1s <= 5, `max in any 1-s window: ${s.max_in_1s}`);
  },

  "the object's protocol: a stricter rate replaces the window, and a ticket of the old window frees nothing in the new": async (lib) => {
    const object = new lib.CyzenTokenCoordinator();
    const post = async (path, body) => (await object.fetch(new Request(`https://coordinator/${path}`, { method: "POST", body: JSON.stringify(body) }))).json();
    const old = await post("acquire", { rate: 5, maxWaitMs: 0, final: true });
    const held = await post("acquire", { rate: 1, maxWaitMs: 0, final: true });
    assert(typeof old.ticket === "number" && typeof held.ticket === "number" && old.ticket !== held.ticket, JSON.stringify([old, held]));
    await post("release", { ticket: old.ticket });
    // The rate-1 window's one slot is still in flight: nothing frees it within 1.2 s.
    assertEqual(await post("acquire", { rate: 1, maxWaitMs: 1200, final: true }), { timeout: true }, "no slot while the held one is in flight");
    await post("release", { ticket: held.ticket });
    const next = await post("acquire", { rate: 1, maxWaitMs: 1500, final: true });
    assert(typeof next.ticket === "number", `a slot one window after the release: ${JSON.stringify(next)}`);
    assertEqual((await object.fetch(new Request("https://coordinator/nowhere", { method: "POST", body: "{}" }))).status, 404, "unknown route");
    assertEqual((await object.fetch(new Request("https://coordinator/acquire", { method: "POST", body: "not json" }))).status, 400, "a body that is not JSON");
  },

  "bad options are refused with INVALID_INPUT before anything is sent": async (lib, env) => {
    for (const [options, field] of [[{}, "name"], [{ name: "x", fallbackShare: 2 }, "fallbackShare"], [{ name: "x", graceMs: -1 }, "graceMs"]]) {
      let error;
      try {
        lib.durableObjectCoordinator(env.coordinatorNamespace, options);
      } catch (e) {
        error = e;
      }
      assertEqual([error?.code, error?.field], ["INVALID_INPUT", field], JSON.stringify(options));
    }
    let error;
    try {
      newStaticClient(lib, env, { coordinator: {} });
    } catch (e) {
      error = e;
    }
    assertEqual(error?.code, "INVALID_INPUT", "a coordinator without acquire/lock");
  },
};
