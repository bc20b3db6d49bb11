// The browser mode behind the signing proxy: a `proxy: true` client (no secret) sends unsigned
// requests; `createSenseLinkProxy` authorises them, checks the allow-list, refuses client-sent
// signing parameters, signs with a fresh timestamp and forwards over real HTTP to the sandbox.
// (Hostile callers and upstreams: proxy-hostile.js.)
// The browser side is wired to the proxy with the client's `fetch` option (a Request handed to the
// proxy function, as a Worker would receive it).
import { assert, assertEqual, clearRequestLog, expectError, requestLog } from "../harness.js";
import { assertSigned, jpeg, lastRequest, param, part, sha256, summary } from "./senselink.js";

const MOUNT = "https://app.example/senselink";

function proxyFor(lib, env, extra = {}) {
  return lib.createSenseLinkProxy({
    baseUrl: env.sandboxUrl, appKey: env.senselink.appKey, appSecret: env.senselink.appSecret, authorize: () => true, ...extra,
  });
}

/** A browser-mode client whose requests go to `proxy`; `seen` collects what the proxy received. */
function browserClient(lib, proxy, seen = []) {
  return new lib.SenseLinkClient({
    baseUrl: MOUNT,
    proxy: true,
    fetch: async (url, init) => {
      const request = new Request(url, init);
      seen.push({ url: request.url, method: request.method, headers: [...request.headers] });
      return proxy(request);
    },
  });
}

async function refused(response, status) {
  assertEqual(response.status, status, "status");
  assert((response.headers.get("content-type") ?? "").startsWith("application/json"), "JSON refusal");
  const body = await response.json();
  assertEqual(body.code, status, "envelope code");
  return body;
}

export const checks = {
  async "unsigned in, signed out: the proxy adds a fresh signature and the secret appears nowhere"(lib, env) {
    const seen = [];
    const browser = browserClient(lib, proxyFor(lib, env), seen);
    await clearRequestLog(env);
    const page = await browser.persons.list({ type: 1, size: 3, name: "佐藤" });
    assert(page.items.length > 0 && page.items.every((p) => p.name.startsWith("佐藤")), "answer passed back");
    assertEqual(seen.length, 1, "one request to the proxy");
    const incoming = new URL(seen[0].url);
    assertEqual(incoming.pathname, "/senselink/api/v1/user/list", "browser request path");
    for (const name of ["app_key", "timestamp", "sign"]) assert(!incoming.searchParams.has(name), `browser sent ${name}`);
    const entry = await lastRequest(env);
    assertEqual(entry.path, "/api/v1/user/list", "upstream path");
    assertEqual([param(entry, "type"), param(entry, "size"), param(entry, "name")], [["1"], ["3"], ["佐藤"]], "business query kept");
    assertSigned(lib, env, entry);
  },

  async "a photo upload streams through the proxy byte for byte as multipart"(lib, env) {
    const browser = browserClient(lib, proxyFor(lib, env));
    const photo = jpeg(50_000);
    await clearRequestLog(env);
    const person = await browser.employees.create({ name: "プロキシ 経由", groups: [], avatar: new File([photo], "me.jpg") });
    assertEqual(person.name, "プロキシ 経由", "created");
    const entry = await lastRequest(env);
    assertEqual([entry.method, entry.path, entry.body.kind], ["POST", "/api/v1/user", "multipart"], "upstream request");
    assertSigned(lib, env, entry);
    const file = part(entry, "avatarFile");
    assertEqual([file.filename, file.content_type, file.size, file.sha256], ["me.jpg", "image/jpeg", photo.length, await sha256(photo)], "photo part");
    assertEqual(part(entry, "groups").value, "", "empty groups field");
  },

  async "JSON bodies and typed errors pass through the proxy"(lib, env) {
    const browser = browserClient(lib, proxyFor(lib, env));
    const s = await summary(env);
    await browser.denyList.moveIn(s.sample_ids.employees_with_photo[0], []);
    const entry = await lastRequest(env);
    assertEqual([entry.path, entry.body.kind, entry.body.value.userId], ["/api/v2/black/move/in", "json", s.sample_ids.employees_with_photo[0]], "JSON forwarded");
    const error = await expectError(browser.employees.delete(1), "SENSELINK_INVALID_PARAM", lib.SenseLinkError);
    assertEqual(error.apiCode, 30001, "SenseLink's code reaches the browser");
  },

  async "signing parameters sent by a client are refused with 400 and never forwarded"(lib, env) {
    const proxy = proxyFor(lib, env);
    await clearRequestLog(env);
    for (const query of ["app_key=evil", "timestamp=1", "sign=forged"]) {
      const body = await refused(await proxy(new Request(`${MOUNT}/api/v1/user/list?size=1&${query}`)), 400);
      assert(body.desc.includes("added by the proxy"), body.desc);
    }
    assertEqual(await requestLog(env, "/"), [], "nothing forwarded");
    const response = await proxy(new Request(`${MOUNT}/api/v1/user/list?size=1`));
    assertEqual(response.status, 200, "forwarded");
    const entry = await lastRequest(env);
    assertSigned(lib, env, entry);
    assertEqual(param(entry, "size"), ["1"], "business query kept");
  },

  async "paths outside the allow-list are refused with 403 and never forwarded"(lib, env) {
    const proxy = proxyFor(lib, env);
    await clearRequestLog(env);
    // What is not a read carries X-Requested-With, as a proxy: true client's requests do.
    const headers = { "x-requested-with": "cyzen-senselink" };
    const body = await refused(await proxy(new Request(`${MOUNT}/api/v3/device/delete?id=1`, { headers })), 403);
    assert(body.desc.includes("GET /api/v3/device/delete"), body.desc);
    await refused(await proxy(new Request(`${MOUNT}/api/v1/user/list`, { method: "POST", headers, body: "x" })), 403);
    await refused(await proxy(new Request(`${MOUNT}/api/v1/user/delete/1/extra`, { headers })), 403);
    await refused(await proxy(new Request(`${MOUNT}/somewhere/else`, { headers })), 404);
    await refused(await proxy(new Request(`${MOUNT}/api/v1/user%2Flist`, { headers })), 400);
    await refused(await proxy(new Request(`${MOUNT}/api/v1/user/list`, { method: "PUT", headers, body: "x" })), 405);
    assertEqual(await requestLog(env, "/"), [], "nothing forwarded");
  },

  async "the allow-list can be narrowed, extended with @default, or decided by a function"(lib, env) {
    await clearRequestLog(env);
    const narrow = browserClient(lib, proxyFor(lib, env, { allow: ["GET /api/v1/user/list"] }));
    assertEqual((await narrow.persons.list({ size: 1 })).items.length, 1, "allowed");
    const error = await expectError(narrow.employees.create({ name: "x" }), "HTTP_STATUS", lib.HttpError);
    assertEqual(error.status, 403, "refused by the proxy");
    assert(error.message.includes("the proxy refused the call (HTTP 403 Forbidden"), error.message);
    const extended = proxyFor(lib, env, { allow: ["@default", "GET /api/v2/staff/**"] });
    assertEqual((await extended(new Request(`${MOUNT}/api/v2/staff/image_updated?date=2025-04-01`))).status, 200, "extended");
    const seen = [];
    const decided = browserClient(lib, proxyFor(lib, env, {
      allow: ({ method, path, allowedByDefault, request }) => {
        seen.push([method, path, allowedByDefault, request instanceof Request]);
        return allowedByDefault && method === "GET";
      },
    }));
    await decided.devices.list();
    await expectError(decided.groups.create({ name: "g", type: 1 }), "HTTP_STATUS");
    assertEqual(seen, [["GET", "/api/v2/device", true, true], ["POST", "/api/v1/group", true, true]], "function calls");
    const log = await requestLog(env, "/api/");
    assertEqual(log.map((e) => e.path), ["/api/v1/user/list", "/api/v2/staff/image_updated", "/api/v2/device"], "only allowed calls forwarded");
  },

  async "authorize decides first: false or a throw gives 401, a Response is returned as is"(lib, env) {
    await clearRequestLog(env);
    const denied = browserClient(lib, proxyFor(lib, env, { authorize: () => false }));
    const error = await expectError(denied.persons.list(), "HTTP_STATUS", lib.HttpError);
    assertEqual(error.status, 401, "401");
    const throwing = proxyFor(lib, env, { authorize: async () => { throw new Error("token expired"); } });
    const body = await refused(await throwing(new Request(`${MOUNT}/api/v1/user/list`)), 401);
    assert(!JSON.stringify(body).includes("token expired"), "the thrown message is not echoed");
    const custom = proxyFor(lib, env, { authorize: () => new Response("sign in first", { status: 302, headers: { location: "/login" } }) });
    const answer = await custom(new Request(`${MOUNT}/api/v1/user/list`));
    assertEqual([answer.status, answer.headers.get("location")], [302, "/login"], "custom response");
    assertEqual(await requestLog(env, "/"), [], "nothing forwarded");
    const seen = [];
    const allowed = browserClient(lib, proxyFor(lib, env, {
      authorize: (request) => {
        seen.push(request.headers.get("x-session"));
        return true;
      },
    }));
    await allowed.devices.list();
    assertEqual(seen, [null], "authorize saw the request");
  },

  async "browser-side headers such as cookies and authorization are not forwarded"(lib, env) {
    const proxy = proxyFor(lib, env);
    await clearRequestLog(env);
    const response = await proxy(new Request(`${MOUNT}/api/v2/device`, {
      headers: { authorization: "Bearer page-session", cookie: "sid=abc", "x-custom": "1", "accept-language": "ja" },
    }));
    assertEqual(response.status, 200, "forwarded");
    const headers = (await lastRequest(env)).headers;
    for (const name of ["authorization", "cookie", "x-custom"]) assert(!(name in headers), `${name} forwarded`);
    assertEqual(headers["accept-language"], "ja", "accept-language forwarded");
  },

  async "an unreachable upstream gives 502 and an upstream timeout 504"(lib, env) {
    const dead = lib.createSenseLinkProxy({ baseUrl: "http://127.0.0.1:9", appKey: "k", appSecret: "s", authorize: () => true });
    const body = await refused(await dead(new Request(`${MOUNT}/api/v2/device`)), 502);
    assertEqual(body.desc, "SenseLink could not be reached", "a generic message, no internal error text");
    await fetch(`${env.sandboxUrl}/__admin/faults`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ path_prefix: "/api/v2/device", count: 1, fault: "latency=3000" }),
    });
    const slow = proxyFor(lib, env, { timeoutMs: 100 });
    await refused(await slow(new Request(`${MOUNT}/api/v2/device`)), 504);
  },

  async "proxy options are checked when it is made; the browser bundle needs no secret"(lib, env) {
    const fails = (options, field) => {
      try {
        lib.createSenseLinkProxy(options);
      } catch (error) {
        assert(error instanceof lib.InvalidInputError, String(error));
        assertEqual(error.field, field, "field");
        return;
      }
      throw new Error(`accepted ${JSON.stringify(options)}`);
    };
    const authorize = () => true;
    fails({ baseUrl: env.sandboxUrl, appKey: "k", authorize }, "appSecret");
    fails({ baseUrl: "/relative", appKey: "k", appSecret: "s", authorize }, "baseUrl");
    fails({ baseUrl: env.sandboxUrl, appKey: "k", appSecret: "s", authorize, allow: ["/v1/user"] }, "allow[0]");
    fails({ baseUrl: env.sandboxUrl, appKey: "k", appSecret: "s", authorize, allow: ["DELETE /api/v1/user"] }, "allow[0]");
    fails({ baseUrl: env.sandboxUrl, appKey: "k", appSecret: "s", authorize: "yes" }, "authorize");
    fails({ baseUrl: env.sandboxUrl, appKey: "k", appSecret: "s", authorize, maxBodyBytes: 0 }, "maxBodyBytes");
    fails({ baseUrl: env.sandboxUrl, appKey: "k", appSecret: "s", authorize, allowedOrigins: ["https://a.example/"] }, "allowedOrigins[0]");
    const browser = new lib.SenseLinkClient({ baseUrl: MOUNT, proxy: true });
    assert(browser.persons && browser.employees, "a browser client without key or secret");
  },
};
