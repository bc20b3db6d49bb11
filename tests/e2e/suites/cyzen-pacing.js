// cyzen pacing and retries against the sandbox's sliding-window rate limiter and fault injection:
// never more than 5 calls in any 1-second window, 503/429 retried with backoff and Retry-After in
// both forms, writes never retried blindly. Checks count requests and windows, never durations.
import { assert, assertEqual, clearRequestLog, expectError, requestLog } from "../harness.js";
import { config, newStaticClient, queueFault, resetStats, signIn, oauthClient, sleep, stats } from "./cyzen-common.js";

/** Lets the sandbox's 1-second window of earlier checks run out, then zeroes the counters. */
async function quiet(env) {
  await sleep(1200);
  await resetStats(env);
  await clearRequestLog(env);
}

/** Run by `cyzen.js` (this module is also loaded as a suite of its own, with no checks). */
export const checks = {};

export const pacingChecks = {
  "30 concurrent calls stay within 5 in any 1-second window and none is refused": async (lib, env) => {
    const client = newStaticClient(lib, env);
    await quiet(env);
    const lists = await Promise.all(Array.from({ length: 30 }, () => client.userTags.list().toArray({ limit: 1 })));
    assertEqual(lists.length, 30, "calls");
    const s = await stats(env);
    assertEqual([s.accepted, s.rejected], [30, 0], "accepted / rejected");
    assert(s.max_in_1s <= 5, `max in any 1-s window: ${s.max_in_1s}`);
  },

  "one pacer per client spans lists, writes and images alike": async (lib, env) => {
    const client = newStaticClient(lib, env);
    await quiet(env);
    const { image_ids: [imageId] } = await (await fetch(`${env.sandboxUrl}/__admin/cyzen/info`)).json();
    await Promise.all([
      ...Array.from({ length: 6 }, () => client.groups.list().toArray({ limit: 1 })),
      ...Array.from({ length: 6 }, () => client.images.get(imageId)),
      ...Array.from({ length: 4 }, (_, i) => client.groups.create({ group_name: `pacing ${i}` })),
    ]);
    const s = await stats(env);
    assertEqual(s.rejected, 0, "rejected");
    assert(s.max_in_1s <= 5, `max in any 1-s window: ${s.max_in_1s}`);
  },

  "an OAuth client is paced the same way (per token)": async (lib, env) => {
    const { oauth } = await signIn(lib, env);
    const client = oauthClient(lib, env, oauth);
    await quiet(env);
    await Promise.all(Array.from({ length: 12 }, () => client.statuses.list().toArray({ limit: 1 })));
    const s = await stats(env);
    assertEqual(s.rejected, 0, "rejected");
    assert(s.max_in_1s <= 5, `max in any 1-s window: ${s.max_in_1s}`);
  },

  "a 503 with Retry-After in seconds is retried and succeeds": async (lib, env) => {
    const client = newStaticClient(lib, env);
    await clearRequestLog(env);
    await queueFault(env, "/webapi/v0/groups", "status=503;retry-after=1");
    const groups = await client.groups.list().toArray({ limit: 1 });
    assertEqual(groups.length, 1, "answer after the retry");
    const log = await requestLog(env, "/webapi/v0/groups");
    assertEqual(log.map((e) => e.status), [503, 200], "statuses");
    assert(log[1].received_at_ms - log[0].received_at_ms >= 900, "waited for Retry-After");
  },

  "a 429 with Retry-After as an HTTP-date is retried and succeeds": async (lib, env) => {
    const client = newStaticClient(lib, env);
    await clearRequestLog(env);
    await queueFault(env, "/webapi/v0/groups", "status=429;retry-after-date=1");
    await client.groups.list().toArray({ limit: 1 });
    assertEqual((await requestLog(env, "/webapi/v0/groups")).map((e) => e.status), [429, 200], "statuses");
  },

  "503s without Retry-After back off and succeed": async (lib, env) => {
    const client = newStaticClient(lib, env);
    await clearRequestLog(env);
    await queueFault(env, "/webapi/v0/groups", "status=503", 2);
    await client.groups.list().toArray({ limit: 1 });
    const log = await requestLog(env, "/webapi/v0/groups");
    assertEqual(log.map((e) => e.status), [503, 503, 200], "statuses");
    assert(log[1].received_at_ms - log[0].received_at_ms >= 450, "first backoff ≥ 0.5 s");
    assert(log[2].received_at_ms - log[1].received_at_ms >= 950, "second backoff ≥ 1 s");
  },

  "the sandbox's own 429 limit (with Retry-After) is ridden out when a client is set too fast": async (lib, env) => {
    await config(env, { rate_limit_status: 429, retry_after: true });
    try {
      const client = newStaticClient(lib, env, { requestsPerSecond: 50 });
      await quiet(env);
      const lists = await Promise.all(Array.from({ length: 12 }, () => client.statuses.list().toArray({ limit: 1 })));
      assertEqual(lists.length, 12, "all calls succeeded");
      const s = await stats(env);
      assert(s.rejected > 0, "the server refused some (the client was set above its limit)");
      assertEqual(s.accepted, 12, "each call accepted once");
    } finally {
      await config(env, { rate_limit_status: 503, retry_after: false });
    }
  },

  "RATE_LIMITED after the retries, with retryAfterMs": async (lib, env) => {
    const client = newStaticClient(lib, env, { maxRetries: 1 });
    await queueFault(env, "/webapi/v0/groups", "status=503;retry-after=1", 2);
    const error = await expectError(client.groups.list().toArray({ limit: 1 }), "RATE_LIMITED", lib.HttpError);
    assertEqual([error.status, error.retryAfterMs], [503, 1000], "status / retryAfterMs");
  },

  "a POST after a 500 is not repeated; a GET after a 500 is": async (lib, env) => {
    const client = newStaticClient(lib, env);
    await clearRequestLog(env);
    await queueFault(env, "/webapi/v0/groups", "status=500", 1, "POST");
    const error = await expectError(client.groups.create({ group_name: "once" }), "HTTP_STATUS", lib.HttpError);
    assertEqual(error.status, 500, "status");
    assertEqual((await requestLog(env, "/webapi/v0/groups")).filter((e) => e.method === "POST").length, 1, "one POST");
    await queueFault(env, "/webapi/v0/groups", "status=500", 1, "GET");
    await client.groups.list().toArray({ limit: 1 });
    assertEqual((await requestLog(env, "/webapi/v0/groups")).filter((e) => e.method === "GET").map((e) => e.status), [500, 200], "GET retried");
  },

  "a 503 on a write is retried (the server refused it before acting)": async (lib, env) => {
    const client = newStaticClient(lib, env);
    await clearRequestLog(env);
    await queueFault(env, "/webapi/v0/groups", "status=503;retry-after=1", 1, "POST");
    const { group_id } = await client.groups.create({ group_name: "after a 503" });
    assert(group_id, "created");
    assertEqual((await requestLog(env, "/webapi/v0/groups")).map((e) => e.status), [503, 200], "statuses");
  },
};
