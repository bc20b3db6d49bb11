// Hooks, log and error context (issue 11, "Observability"): every request, answer, retry and
// rate-limit wait is reported — and nothing a hook, a log line or an error carries contains a
// signature, the app secret, a bearer or refresh token, or a cookie.
import { admin, assert, assertEqual, expectError } from "../harness.js";
import { newStaticClient, oauthClient, oauthOptions, queueFault } from "./cyzen-common.js";
import { client } from "./senselink.js";

/** Hooks and a logger that record everything they are given. */
function recorder() {
  const seen = [];
  const hook = (name) => (event) => seen.push([name, event]);
  return {
    seen,
    options: {
      onRequest: hook("request"),
      onResponse: hook("response"),
      onRetry: hook("retry"),
      onRateLimit: hook("rateLimit"),
      log: { debug: (message, event) => seen.push(["debug", message, event]), warn: (message, event) => seen.push(["warn", message, event]) },
    },
  };
}

function assertClean(text, secrets, what) {
  for (const secret of secrets) {
    assert(secret && !text.includes(secret), `${what} contains a secret (${secret.slice(0, 4)}…): ${text.slice(0, 300)}`);
  }
}

export const checks = {
  async "SenseLink: hooks see each request and answer with the signature and key redacted"(lib, env) {
    const { seen, options } = recorder();
    const c = client(lib, env, options);
    await c.persons.list({ size: 2 });
    const names = seen.map(([name]) => name);
    assertEqual(names, ["request", "debug", "response", "debug"], "events");
    const [, request] = seen[0];
    assertEqual([request.operation, request.method, request.attempt, request.token], ["persons.list", "GET", 1, false], "request event");
    assert(request.url.includes("sign=[redacted]") && request.url.includes("size=2"), request.url);
    const [, response] = seen[2];
    assertEqual(response.status, 200, "status");
    assert(typeof response.durationMs === "number", "duration");
    // The signature of that request, from the sandbox's log, appears nowhere.
    const [entry] = await (await fetch(`${env.sandboxUrl}/__admin/requests?path_prefix=/api/v1/user/list`)).json().then((l) => l.slice(-1));
    const sign = entry.query_params.find((p) => p.name === "sign").value;
    assertClean(JSON.stringify(seen), [sign, env.senselink.appSecret], "hooks");
  },

  async "cyzen: a refresh and a retry are reported; no bearer token, refresh token or client secret in any event"(lib, env) {
    const minted = await admin(env, "/__admin/cyzen/tokens", { client_id: env.cyzen.clientId });
    const { seen, options } = recorder();
    const oauth = new lib.CyzenOAuth(oauthOptions(env));
    await oauth.setTokens({ accessToken: minted.access_token, refreshToken: minted.refresh_token, tokenType: "bearer" });
    const c = oauthClient(lib, env, oauth, options);
    await admin(env, "/__admin/cyzen/expire", { all: true });
    await queueFault(env, "/webapi/v0/groups", "status=503,retry-after=1");
    await c.groups.list().toArray({ limit: 1 });
    const tokens = await oauth.getTokens();
    assert(seen.some(([name, e]) => name === "request" && e.token), "the refresh request is reported");
    const retry = seen.find(([name]) => name === "retry")?.[1];
    assertEqual([retry?.operation, retry?.reason, retry?.waitMs], ["groups.list", 503, 1000], "retry event");
    assert(seen.some(([name, e]) => name === "rateLimit" && e.source === "server" && e.status === 503), "server rate limit reported");
    assert(seen.some(([name, message]) => name === "warn" && message.includes("retry 1 of groups.list")), "log.warn line");
    assertClean(JSON.stringify(seen), [minted.access_token, minted.refresh_token, tokens.accessToken, tokens.refreshToken, env.cyzen.clientSecret, env.cyzen.appToken], "hooks");
  },

  async "cyzen: waiting for a pacing slot is a client-side rate limit"(lib, env) {
    const { seen, options } = recorder();
    const c = newStaticClient(lib, env, { ...options, requestsPerSecond: 1 });
    await Promise.all([c.groups.list().toArray({ limit: 1 }), c.groups.list().toArray({ limit: 1 })]);
    const waits = seen.filter(([name, e]) => name === "rateLimit" && e.source === "client");
    assert(waits.length >= 1 && waits[0][1].operation === "groups.list", `pacing waits: ${JSON.stringify(waits)}`);
  },

  async "errors carry the operation, method, redacted URL, status and request id; a network error names the host"(lib, env) {
    const c = newStaticClient(lib, env, { auth: { staticToken: "wrong-token" } });
    const refused = await expectError(c.spots.list().toArray({ limit: 1 }), "CYZEN_UNAUTHORIZED", lib.CyzenError);
    assertEqual([refused.operation, refused.method, refused.status], ["spots.list", "GET", 401], "context");
    assert(refused.message.startsWith("spots.list: "), refused.message);
    assert(refused.url.includes("/webapi/v0/spots"), refused.url);
    assertClean(JSON.stringify({ ...refused, message: refused.message }), ["wrong-token"], "error");
    const senselink = client(lib, env, { maxRetries: 0 });
    const signed = await expectError(senselink.employees.delete(1), "SENSELINK_INVALID_PARAM", lib.SenseLinkError);
    assertEqual([signed.operation, signed.method], ["employees.delete", "GET"], "SenseLink context (the manual deletes with a GET)");
    assert(signed.url.includes("sign=[redacted]"), signed.url);
    const unreachable = client(lib, env, { baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
    const network = await expectError(unreachable.persons.list(), "NETWORK", lib.TransportError);
    assert(network.message.includes("127.0.0.1:9") && network.operation === "persons.list", network.message);
  },

  async "a hook that throws does not break the call"(lib, env) {
    const warnings = [];
    const c = client(lib, env, {
      onRequest: () => {
        throw new Error("buggy hook");
      },
      log: { debug: () => {}, warn: (message) => warnings.push(message) },
    });
    const page = await c.persons.list({ size: 1 });
    assertEqual(page.items.length, 1, "the call succeeded");
    assert(warnings.some((w) => w.includes("buggy hook")), "reported to log.warn");
  },
};
