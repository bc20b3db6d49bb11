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

/** What a client of this version asks the object with (a 1/s window, a 60 s deadline, offers confirmed). */
const ASK = { rate: 1, leaseMs: 60_000, confirm: true };

/** A fresh object, driven through its fetch protocol. */
function protocolOf(lib) {
  const object = new lib.CyzenTokenCoordinator();
  const post = async (path, body) => (await object.fetch(new Request(`https://coordinator/${path}`, { method: "POST", body: JSON.stringify(body) }))).json();
  return { object, post };
}

/** The ticket an answer makes the caller's: a grant's, or an offer's once confirmed. */
async function claim(post, answer, name) {
  if (typeof answer.offer !== "number") return answer.ticket;
  return (await post("confirm", name === undefined ? { ticket: answer.offer } : { name, ticket: answer.offer })).ticket;
}

/** A namespace whose objects' calls are logged (`{ path, body }`); `sent(path, n)` waits for the n-th such call. */
function recording(namespace) {
  const log = [];
  const namespaceOf = {
    idFromName: (name) => namespace.idFromName(name),
    get: (id) => {
      const stub = namespace.get(id);
      return {
        fetch: (url, init) => {
          log.push({ path: new URL(url).pathname.slice(1), body: JSON.parse(init.body) });
          return stub.fetch(url, init);
        },
      };
    },
  };
  const sent = async (path, n) => {
    for (let i = 0; i < 400 && log.filter((e) => e.path === path).length < n; i++) await sleep(25);
    assert(log.filter((e) => e.path === path).length >= n, `no ${n} ${path} calls: ${JSON.stringify(log.map((e) => e.path))}`);
  };
  return { namespace: namespaceOf, log, sent };
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

  "the object's protocol: a released ticket frees its slot one window later, an unknown route answers 404, a body that is not JSON 400": async (lib) => {
    const { object, post } = protocolOf(lib);
    const held = await post("acquire", { ...ASK, maxWaitMs: 0, final: true });
    assert(typeof held.ticket === "number", JSON.stringify(held));
    // The rate-1 slot is still in flight: nothing frees it within 1.2 s.
    assertEqual(await post("acquire", { ...ASK, maxWaitMs: 1200, final: true }), { timeout: true }, "no slot while the held one is in flight");
    await post("release", { ticket: held.ticket });
    assert(typeof (await claim(post, await post("acquire", { ...ASK, maxWaitMs: 5000, final: true }))) === "number", "a slot one window after the release");
    assertEqual((await object.fetch(new Request("https://coordinator/nowhere", { method: "POST", body: "{}" }))).status, 404, "unknown route");
    assertEqual((await object.fetch(new Request("https://coordinator/acquire", { method: "POST", body: "not json" }))).status, 400, "a body that is not JSON");
  },

  "the object's protocol: a JSON body that is not an object (null, an array, a number, a string) answers 400": async (lib) => {
    const { object } = protocolOf(lib);
    const statuses = [];
    for (const path of ["acquire", "release", "lock", "unlock", "confirm"]) {
      for (const body of ["null", "[]", "7", '"x"']) {
        const answer = await object.fetch(new Request(`https://coordinator/${path}`, { method: "POST", body })).then((r) => r.status, (e) => `threw ${e}`);
        statuses.push(answer === 400 ? 400 : `${path} ${body}: ${answer}`);
      }
    }
    assertEqual(statuses.filter((s) => s !== 400), [], "answers other than 400");
  },

  "the object's protocol: a queued acquire whose caller left is offered the slot, not given it; unconfirmed, the slot goes to the next caller": async (lib) => {
    const { post } = protocolOf(lib);
    const first = await post("acquire", { ...ASK, maxWaitMs: 0, final: true });
    // Queued, then its caller left (the object cannot see that): nobody reads or confirms its answer.
    const ghost = post("acquire", { ...ASK, maxWaitMs: 4000, final: true });
    await post("release", { ticket: first.ticket });
    const offered = await ghost;
    // The next caller gets the slot once the unconfirmed offer lapses (at 1/s, within its wait).
    const next = await post("acquire", { ...ASK, maxWaitMs: 4500, final: true });
    assert(typeof (await claim(post, next)) === "number", `the next caller's answer: ${JSON.stringify(next)} (the ghost's: ${JSON.stringify(offered)})`);
    assert(typeof offered.offer === "number" && offered.ticket === undefined, `what frees while a request waits is offered: ${JSON.stringify(offered)}`);
    assertEqual(await post("confirm", { ticket: offered.offer }), { expired: true }, "the lapsed offer cannot be confirmed any more");
  },

  "the object's protocol: a slot whose holder never gives it back is taken back at its caller's deadline (leaseMs), not after 65 s": async (lib) => {
    const { post } = protocolOf(lib);
    const lost = await post("acquire", { ...ASK, leaseMs: 1500, maxWaitMs: 0, final: true });
    assert(typeof lost.ticket === "number", JSON.stringify(lost));
    // Never released (its isolate died). Held while its caller's deadline lasts…
    assertEqual(await post("acquire", { ...ASK, maxWaitMs: 200, final: true }), { timeout: true }, "within the lease");
    // …then finished: its window ends one second later.
    const next = await post("acquire", { ...ASK, maxWaitMs: 5000, final: true });
    assert(typeof (await claim(post, next)) === "number", `after the lease and its window: ${JSON.stringify(next)}`);
  },

  "a call cancelled while it waits for the object's slot leaves nothing held: it gives back what it is offered, and the next call at 1/s goes": async (lib, env) => {
    const { namespace, log, sent } = recording(env.coordinatorNamespace);
    const coordinator = lib.durableObjectCoordinator(namespace, { name: `cancelled-${Date.now()}` });
    // Three isolates (each its own pacer) at 1/s through one object.
    const [first, cancelledClient, next] = [0, 1, 2].map(() => newStaticClient(lib, env, { coordinator, requestsPerSecond: 1 }));
    await quiet(env);
    await first.userTags.list().toArray({ limit: 1 });
    const controller = new AbortController();
    const cancelled = cancelledClient.userTags.list({}, { signal: controller.signal }).toArray({ limit: 1 }).then(() => null, (e) => e);
    // Its acquire is queued at the object (the first call's window lasts a second), then it is cancelled.
    await sent("acquire", 2);
    await sleep(100);
    controller.abort();
    assertEqual((await cancelled)?.code, "ABORTED", "the cancelled call");
    await next.userTags.list({}, { timeoutMs: 8000 }).toArray({ limit: 1 });
    await sent("release", 2);
    const unused = log.filter((e) => e.path === "release" && e.body.unused === true);
    assertEqual(unused.length, 1, `the cancelled call gave back the slot it was offered unused (log: ${JSON.stringify(log.map((e) => e.path))})`);
    const s = await stats(env);
    assertEqual([s.accepted, s.rejected], [2, 0], "accepted / rejected");
  },

  "a stricter rate counts the slots already held: with five held at 5/s, nothing is granted at 4/s (or 5/s)": async (lib) => {
    const { post } = protocolOf(lib);
    const five = [];
    for (let i = 0; i < 5; i++) five.push(await post("acquire", { ...ASK, rate: 5, maxWaitMs: 0, final: true }));
    assert(five.every((a) => typeof a.ticket === "number"), JSON.stringify(five));
    // The five are in flight (their answers not yet back): 4/s allows one fewer.
    const after = [];
    for (let i = 0; i < 4; i++) after.push(await post("acquire", { ...ASK, rate: 4, maxWaitMs: 0, final: true }));
    after.push(await post("acquire", { ...ASK, rate: 5, maxWaitMs: 0, final: true }));
    assertEqual(after.filter((a) => a.ticket !== undefined).length, 0, `granted while the five are held: ${JSON.stringify(after)}`);
  },

  "a stricter rate ends with its slots: once a 1/s slot's window has passed, 5/s callers get five at once": async (lib) => {
    const { post } = protocolOf(lib);
    const strict = await post("acquire", { ...ASK, rate: 1, maxWaitMs: 0, final: true });
    assertEqual(await post("acquire", { ...ASK, rate: 5, maxWaitMs: 0, final: true }), { timeout: true }, "while the 1/s slot is held");
    await post("release", { ticket: strict.ticket });
    assert(typeof (await claim(post, await post("acquire", { ...ASK, rate: 5, maxWaitMs: 5000, final: true }))) === "number", "after its window");
    const more = [];
    for (let i = 0; i < 4; i++) more.push(await post("acquire", { ...ASK, rate: 5, maxWaitMs: 0, final: true }));
    assertEqual(more.filter((a) => typeof a.ticket === "number").length, 4, `the 1/s override is over: ${JSON.stringify(more)}`);
    assertEqual(await post("acquire", { ...ASK, rate: 5, maxWaitMs: 0, final: true }), { timeout: true }, "and 5/s holds");
  },

  "the refresh lock: a waiter whose caller left is offered the lock, not given it; unconfirmed, it goes to the next caller": async (lib) => {
    const { post } = protocolOf(lib);
    const name = "tokens";
    const first = await post("lock", { ...ASK, name, maxWaitMs: 0, final: true });
    assert(typeof first.ticket === "number", JSON.stringify(first));
    const ghost = post("lock", { ...ASK, name, maxWaitMs: 4000, final: true });
    await post("unlock", { name, ticket: first.ticket });
    const offered = await ghost;
    const next = await post("lock", { ...ASK, name, maxWaitMs: 4500, final: true });
    const ticket = await claim(post, next, name);
    assert(typeof ticket === "number", `the next caller's answer: ${JSON.stringify(next)} (the ghost's: ${JSON.stringify(offered)})`);
    assert(typeof offered.offer === "number" && offered.ticket === undefined, `offered, not granted: ${JSON.stringify(offered)}`);
    assertEqual(await post("confirm", { name, ticket: offered.offer }), { expired: true }, "the ghost's offer lapsed");
    await post("unlock", { name, ticket });
  },

  "the refresh lock: a holder that never unlocks keeps it for its caller's deadline, then the first waiter gets it and every other waiter is answered": async (lib) => {
    const { post } = protocolOf(lib);
    const name = "tokens";
    const holder = await post("lock", { ...ASK, name, leaseMs: 1500, maxWaitMs: 0, final: true });
    assert(typeof holder.ticket === "number", JSON.stringify(holder));
    // The lease is at least the caller's deadline: not given away before it.
    assertEqual(await post("lock", { ...ASK, name, maxWaitMs: 300, final: true }), { timeout: true }, "within the holder's deadline");
    // Three waiters asking for long waits; the holder vanished. Each must get an answer (a hang is bounded at 40 s).
    // Each confirms an offer at once (an offer left unconfirmed would lapse and go to the next).
    const waiters = [0, 1, 2].map(() => post("lock", { ...ASK, name, maxWaitMs: 35_000, final: false })
      .then(async (a) => (typeof a.offer === "number" ? { ...a, confirmed: (await post("confirm", { name, ticket: a.offer })).ticket } : a)));
    const answers = await Promise.race([Promise.all(waiters), sleep(40_000).then(() => null)]);
    assert(answers !== null, "some waiters were never answered");
    const granted = answers.filter((a) => typeof a.confirmed === "number" || typeof a.ticket === "number");
    assertEqual(granted.length, 1, `one holder at a time: ${JSON.stringify(answers)}`);
    assert(answers.every((a) => a === granted[0] || a.again === true || a.timeout === true), JSON.stringify(answers));
  },

  "the refresh lock: a client the object told the lock is held never takes a local one when the object then fails": async (lib, env) => {
    const name = `two-holders-${Date.now()}`;
    const request = (maxWaitMs) => ({ signal: new AbortController().signal, maxWaitMs, requestsPerSecond: 5 });
    const holder = await lib.durableObjectCoordinator(env.coordinatorNamespace, { name }).lock("tokens", request(60_000));
    assertEqual(holder.fallback, undefined, "the holder's lock is the object's");
    // The other isolate reaches the object once (told to wait: the lock is held), then not at all.
    let calls = 0;
    const flaky = {
      idFromName: (n) => env.coordinatorNamespace.idFromName(n),
      get: (id) => ({ fetch: (url, init) => (++calls === 1 ? env.coordinatorNamespace.get(id).fetch(url, init) : Promise.reject(new Error("object down"))) }),
    };
    const other = lib.durableObjectCoordinator(flaky, { name, graceMs: 500, lockFallback: "local" });
    const outcome = await other.lock("tokens", request(5500)).then((grant) => ({ grant }), (error) => ({ error }));
    assertEqual([outcome.grant?.fallback !== undefined, outcome.error?.code], [false, "NETWORK"], "no second holder, a NETWORK error");
    await holder.release();
  },

  "object unreachable from the start: no refresh without the lock (NETWORK, the token endpoint untouched), unless lockFallback is \"local\"": async (lib, env) => {
    const down = { idFromName: (name) => name, get: () => ({ fetch: () => Promise.reject(new Error("object down")) }) };
    const results = [];
    for (const lockFallback of [undefined, "local"]) {
      const shared = new Map();
      const { tokens } = await signIn(lib, env, { store: storeOver(shared) });
      const fallbacks = [];
      const coordinator = lib.durableObjectCoordinator(down, { name: `down-lock-${lockFallback}-${Date.now()}`, lockFallback, graceMs: 100 });
      const oauth = new lib.CyzenOAuth(oauthOptions(env, { store: storeOver(shared), coordinator, onFallback: (e) => fallbacks.push(e.what) }));
      await fetch(`${env.sandboxUrl}/__admin/cyzen/expire`, { method: "POST", body: JSON.stringify({ access_token: tokens.accessToken }) });
      await clearRequestLog(env);
      const outcome = await oauth.refresh({ timeoutMs: 10_000 }).then(() => "refreshed", (e) => e.code);
      results.push([outcome, (await requestLog(env, "/oauth/token")).length, fallbacks.includes("refresh lock")]);
    }
    assertEqual(results, [["NETWORK", 0, false], ["refreshed", 1, true]], "[outcome, token requests, reported] by default and with \"local\"");
    await config(env, { auto_approve: false });
  },

  "a cron job's CyzenOAuth (stored tokens only: no authorizeUrl, no redirectUri) refreshes through the object; signing in with it names what is missing": async (lib, env) => {
    const shared = new Map();
    const { tokens } = await signIn(lib, env, { store: storeOver(shared) });
    const { authorizeUrl: _a, redirectUri: _r, ...tokensOnly } = oauthOptions(env, { store: storeOver(shared), coordinator: coordinatorOf(lib, env) });
    const job = new lib.CyzenOAuth(tokensOnly);
    const refreshed = await job.refresh();
    assert(refreshed.accessToken !== tokens.accessToken, "rotated");
    await oauthClient(lib, env, job).statuses.list().toArray({ limit: 1 });
    const signInError = await job.authorizationUrl().then(() => null, (e) => e);
    assertEqual([signInError?.code, signInError?.field], ["INVALID_INPUT", "authorizeUrl"], "authorizationUrl()");
    const callbackError = await job.handleCallback(`${env.sandboxUrl}/callback?code=x&state=y`).then(() => null, (e) => e);
    assertEqual([callbackError?.code, callbackError?.field], ["INVALID_INPUT", "redirectUri"], "handleCallback()");
    await config(env, { auto_approve: false });
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
