// Deadlines and size caps (issue 10, "Resources"): every call has a deadline that covers the wait
// for a pacing slot, retry backoff and the token store; every answer is read up to
// `maxResponseBytes`. Each check drives the sandbox into the fault and expects the typed error —
// and that the next call works.
import { admin, assert, assertEqual, expectError } from "../harness.js";
import { newStaticClient, oauthOptions, queueFault } from "./cyzen-common.js";
import { client } from "./senselink.js";

const MiB = 1024 * 1024;

export const checks = {
  async "an answer above maxResponseBytes is RESPONSE_TOO_LARGE, streamed or with a Content-Length; the next call works"(lib, env) {
    const c = client(lib, env, { maxResponseBytes: MiB });
    await queueFault(env, "/api/v1/user/list", `huge=${3 * MiB}`);
    const streamed = await expectError(c.persons.list({}), "RESPONSE_TOO_LARGE", lib.HttpError);
    assertEqual([streamed.status, streamed.limit], [200, MiB], "status and limit");
    assert(streamed.message.includes("maxResponseBytes"), streamed.message);
    await queueFault(env, "/api/v1/user/list", `huge=${3 * MiB},declared`);
    const declared = await expectError(c.persons.list({}), "RESPONSE_TOO_LARGE", lib.HttpError);
    assert(declared.message.includes(`declares ${3 * MiB} bytes`), declared.message);
    const after = await c.persons.list({});
    assert(Array.isArray(after.items), "the next call works");
  },

  async "the default cap is 16 MiB: a 20 MB answer fails, a 2 MB one is read"(lib, env) {
    const c = client(lib, env);
    await queueFault(env, "/api/v1/user/list", `huge=${20_000_000}`);
    const error = await expectError(c.persons.list({}), "RESPONSE_TOO_LARGE", lib.HttpError);
    assertEqual(error.limit, 16 * MiB, "default limit");
    const big = await lib.httpRequest({ url: `${env.sandboxUrl}/api/v3/person`, headers: { "x-sandbox-fault": `huge=${2_000_000}` } });
    assertEqual(big.body.byteLength, 2_000_000, "2 MB read whole");
    await expectError(
      lib.httpRequest({ url: `${env.sandboxUrl}/api/v3/person`, headers: { "x-sandbox-fault": `huge=${2_000_000}` }, maxResponseBytes: MiB }),
      "RESPONSE_TOO_LARGE",
      lib.HttpError,
    );
  },

  async "a 1 MB server message becomes an error of at most 500 characters of it"(lib, env) {
    const c = client(lib, env);
    await queueFault(env, "/api/v1/user/list", `huge=${1_000_000},in-message`);
    const error = await expectError(c.persons.list({}), "SENSELINK_API", lib.SenseLinkError);
    assertEqual(error.apiMessage.length, 501, "apiMessage: 500 characters and …");
    assert(error.apiMessage.endsWith("…"), "cut is marked");
    assert(error.message.length < 1000, `message length ${error.message.length}`);
    assert((error.body ?? "").length < 1000, `body excerpt length ${(error.body ?? "").length}`);
  },

  async "five hung requests hold the pacing window; a sixth call's deadline covers its wait for a slot"(lib, env) {
    const c = newStaticClient(lib, env, { requestsPerSecond: 5 });
    await queueFault(env, "/webapi/v0/spots", "latency=30000", 5);
    const hung = Array.from({ length: 5 }, () => c.spots.list({}, { timeoutMs: 2000 }).toArray({ limit: 1 }).then(
      () => "answered",
      (error) => error.code,
    ));
    const waiting = await expectError(c.spots.list({}, { timeoutMs: 300 }).toArray({ limit: 1 }), "TIMEOUT", lib.TransportError);
    assert(waiting.message.includes("deadline"), waiting.message);
    assertEqual(await Promise.all(hung), ["TIMEOUT", "TIMEOUT", "TIMEOUT", "TIMEOUT", "TIMEOUT"], "the hung calls time out");
    await admin(env, "/__admin/faults", undefined, "DELETE");
    const spots = await c.spots.list({}).toArray({ limit: 1 });
    assertEqual(spots.length, 1, "slots released: the next call works");
  },

  async "a Retry-After longer than the deadline fails at once with TIMEOUT instead of sleeping"(lib, env) {
    const c = newStaticClient(lib, env);
    await queueFault(env, "/webapi/v0/spots", "status=503,retry-after=30");
    const error = await expectError(c.spots.list({}, { timeoutMs: 5000 }).toArray({ limit: 1 }), "TIMEOUT", lib.TransportError);
    assert(/waiting \d+ ms more/.test(error.message), error.message);
    await admin(env, "/__admin/faults", undefined, "DELETE");
  },

  async "a token store that never answers is covered by the deadline"(lib, env) {
    const store = { load: () => new Promise(() => {}), save: () => new Promise(() => {}) };
    const oauth = new lib.CyzenOAuth(oauthOptions(env, { store, timeoutMs: 300 }));
    const c = new lib.CyzenClient({ baseUrl: env.cyzen.baseUrl, companyId: env.cyzen.companyId, auth: oauth, timeoutMs: 300 });
    await expectError(c.spots.list({}).toArray({ limit: 1 }), "TIMEOUT", lib.TransportError);
    await expectError(oauth.getTokens(), "TIMEOUT", lib.TransportError);
  },

  async "timeoutMs and maxResponseBytes are checked before anything is sent"(lib, env) {
    for (const [options, field] of [
      [{ timeoutMs: 2 ** 31 }, "timeoutMs"],
      [{ timeoutMs: 0 }, "timeoutMs"],
      [{ maxResponseBytes: 0.5 }, "maxResponseBytes"],
      [{ maxResponseBytes: "1MB" }, "maxResponseBytes"],
    ]) {
      const error = await expectError(Promise.resolve().then(() => client(lib, env, options)), "INVALID_INPUT", lib.InvalidInputError);
      assertEqual(error.field, field, "field");
      const call = await expectError(client(lib, env).persons.list({}, options), "INVALID_INPUT", lib.InvalidInputError);
      assertEqual(call.field, field, "per-call field");
    }
  },
};
