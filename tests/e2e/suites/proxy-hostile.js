// Both proxies against hostile callers and a hostile upstream: closed by default (authorize
// required, cross-site refused), upstream headers allow-listed, request bodies counted and cut at
// maxBodyBytes, signing and tenant parameters refused in every spelling. Each proxy is called
// directly with a `Request`, as a Worker would be; what reached the sandbox is read from its log.
//
// Browsers drop `Origin`, `Sec-Fetch-*` and `Content-Length` from a `Request` a script builds, so in
// Chromium `request()` hands the proxy the same request with a plain `Headers` that keeps them
// (a `Headers` made with `new Headers()` has no such filter): the proxy code under test is the same.
import { assert, assertEqual, clearRequestLog, requestLog } from "../harness.js";
import { config, queueFault } from "./cyzen-common.js";
import { summary } from "./senselink.js";

const SENSELINK = "https://app.example/senselink";
const CYZEN = "https://app.example/cyzen";
const FORM = "application/x-www-form-urlencoded";
const MULTIPART = "multipart/form-data; boundary=x";
const OPT_OUT = { unsafelyAllowAnyCaller: true };
/** What a write carries besides its body: the header the package's proxy-mode clients send. */
const WRITE = { "x-requested-with": "cyzen-senselink" };
/** The proxies' own origin in these checks (their request URLs are at it). */
const OWN = { origin: "https://app.example" };

/** A Request whose headers are exactly `headers`, forbidden names included. */
function request(url, { headers = {}, ...init } = {}) {
  const real = new Request(url, { ...init, headers });
  if (Object.keys(headers).every((name) => real.headers.has(name))) return real;
  const kept = new Headers(headers);
  return new Proxy(real, { get: (target, key) => (key === "headers" ? kept : Reflect.get(target, key)) });
}

function senselinkProxy(lib, env, extra = {}) {
  return lib.createSenseLinkProxy({ baseUrl: env.sandboxUrl, appKey: env.senselink.appKey, appSecret: env.senselink.appSecret, ...extra });
}

function cyzenProxy(lib, env, extra = {}) {
  return lib.createCyzenProxy({ baseUrl: env.cyzen.baseUrl, companyId: env.cyzen.companyId, auth: { staticToken: env.cyzen.staticToken }, ...extra });
}

/** Both proxies, each with a GET that succeeds upstream and how to read its refusals' status code. */
function both(lib, env, extra = {}) {
  return [
    { name: "senselink", proxy: senselinkProxy(lib, env, extra), url: `${SENSELINK}/api/v2/device`, code: (b) => b.code },
    { name: "cyzen", proxy: cyzenProxy(lib, env, extra), url: `${CYZEN}/groups`, code: (b) => b.errors?.[0]?.err_code / 100 },
  ];
}

/** Checks a refusal: status, the proxy's own JSON shape, nosniff and no-store; returns its text. */
async function refusal(response, status, code, what) {
  assertEqual(response.status, status, `${what}: status`);
  assertEqual(response.headers.get("x-content-type-options"), "nosniff", `${what}: nosniff`);
  assertEqual(response.headers.get("cache-control"), "no-store", `${what}: no-store`);
  const text = await response.text();
  assertEqual(code(JSON.parse(text)), status, `${what}: the proxy's refusal shape`);
  return text;
}

/** A request body of `total` bytes in 64 KiB chunks, counting what was pulled from it. */
function bigStream(total) {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const state = { pulled: 0 };
  state.stream = new ReadableStream({
    pull(controller) {
      if (state.pulled >= total) return controller.close();
      controller.enqueue(chunk.slice());
      state.pulled += chunk.byteLength;
    },
  });
  return state;
}

/** These checks call cyzen faster than its 5 calls/s (the proxy does not pace; page clients do). */
const unthrottled = (env) => config(env, { rate_limit_per_sec: 1000 });

async function nothingForwarded(env, what) {
  assertEqual((await requestLog(env, "/")).map((e) => `${e.method} ${e.path}`), [], `${what}: forwarded upstream`);
}

export const checks = {
  async "cross-site browser requests are refused with 403 before authorize runs"(lib, env) {
    let asked = 0;
    const authorize = () => ++asked > 0;
    await clearRequestLog(env);
    for (const { name, proxy, url, code } of both(lib, env, { authorize })) {
      for (const headers of [
        { "sec-fetch-site": "cross-site" },
        { "sec-fetch-site": "same-site" },
        { "sec-fetch-site": "Cross-Site" },
        { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
        { "sec-fetch-site": "same-site", origin: "https://sub.app.example" },
      ]) {
        await refusal(await proxy(request(url, { headers })), 403, code, `${name} ${JSON.stringify(headers)}`);
      }
      const body = { method: "POST", headers: { "sec-fetch-site": "cross-site", "content-type": FORM }, body: "name=x" };
      await refusal(await proxy(request(name === "cyzen" ? `${CYZEN}/spots` : `${SENSELINK}/api/v1/user`, body)), 403, code, `${name} cross-site POST`);
    }
    assertEqual(asked, 0, "authorize never ran");
    await nothingForwarded(env, "cross-site");
  },

  async "an Origin other than the proxy's own is refused; its own origin, same-origin/none and servers reach authorize"(lib, env) {
    await unthrottled(env);
    let asked = 0;
    const authorize = () => ++asked > 0;
    await clearRequestLog(env);
    for (const { name, proxy, url, code } of both(lib, env, { authorize, ...OWN })) {
      for (const origin of ["https://evil.example", "http://app.example", "https://app.example:8443", "null"]) {
        await refusal(await proxy(request(url, { headers: { origin } })), 403, code, `${name} Origin ${origin}`);
      }
      await refusal(await proxy(request(url, { headers: { origin: "https://evil.example", "sec-fetch-site": "same-origin" } })), 403, code, `${name} same-origin + foreign Origin`);
    }
    assertEqual(asked, 0, "authorize never ran for a refused origin");
    await nothingForwarded(env, "foreign Origin");
    for (const { name, proxy, url } of both(lib, env, { authorize, ...OWN })) {
      for (const headers of [{}, { origin: "https://app.example" }, { "sec-fetch-site": "same-origin", origin: "https://app.example" }, { "sec-fetch-site": "none" }]) {
        assertEqual((await proxy(request(url, { headers }))).status, 200, `${name} ${JSON.stringify(headers)}`);
      }
    }
    assertEqual(asked, 8, "authorize ran for every admitted request");
  },

  async "allowedOrigins admits exactly the origins it names"(lib, env) {
    await unthrottled(env);
    await clearRequestLog(env);
    for (const { name, proxy, url, code } of both(lib, env, { authorize: () => true, allowedOrigins: ["https://admin.example", "http://localhost:5173"] })) {
      for (const origin of ["https://admin.example", "http://localhost:5173"]) {
        const response = await proxy(request(url, { headers: { origin, "sec-fetch-site": "cross-site" } }));
        assertEqual(response.status, 200, `${name} ${origin} admitted`);
      }
      for (const headers of [
        { origin: "https://admin.example.evil", "sec-fetch-site": "cross-site" },
        { origin: "https://ADMIN.example", "sec-fetch-site": "cross-site" },
        { origin: "http://admin.example" },
        { "sec-fetch-site": "cross-site" },
      ]) {
        await refusal(await proxy(request(url, { headers })), 403, code, `${name} ${JSON.stringify(headers)}`);
      }
    }
    assertEqual((await requestLog(env, "/")).length, 4, "only the admitted requests were forwarded");
  },

  async "a proxy without authorize cannot be made; unsafelyAllowAnyCaller: true is the one opt-out"(lib, env) {
    await unthrottled(env);
    const makers = [
      ["senselink", (extra) => senselinkProxy(lib, env, extra)],
      ["cyzen", (extra) => cyzenProxy(lib, env, extra)],
    ];
    const fails = (name, make, field, extra) => {
      try {
        make(extra);
      } catch (error) {
        assert(error instanceof lib.InvalidInputError, `${name}: ${error}`);
        assertEqual([error.code, error.field], ["INVALID_INPUT", field], `${name} ${JSON.stringify(extra)}`);
        return error;
      }
      throw new Error(`${name}: made a proxy with ${JSON.stringify(extra)}`);
    };
    await clearRequestLog(env);
    for (const [name, make] of makers) {
      const error = fails(name, make, "authorize", {});
      assert(error.message.includes("authorize: is required") && error.message.includes("unsafelyAllowAnyCaller: true"), error.message);
      fails(name, make, "authorize", { authorize: null });
      fails(name, make, "authorize", { authorize: true });
      fails(name, make, "authorize", { unsafelyAllowAnyCaller: false });
      fails(name, make, "unsafelyAllowAnyCaller", { unsafelyAllowAnyCaller: "yes" });
      fails(name, make, "unsafelyAllowAnyCaller", { unsafelyAllowAnyCaller: true, authorize: () => true });
    }
    for (const { name, proxy, url, code } of both(lib, env, OPT_OUT)) {
      assertEqual((await proxy(request(url))).status, 200, `${name}: anyone may call an opted-out proxy`);
      await refusal(await proxy(request(url, { headers: { "sec-fetch-site": "cross-site" } })), 403, code, `${name}: still refuses cross-site`);
    }
    assertEqual((await requestLog(env, "/")).length, 2, "the two admitted calls");
  },

  async "upstream Set-Cookie, Access-Control-*, Refresh, Location and CSP never come back; nosniff always does"(lib, env) {
    await unthrottled(env);
    for (const { name, proxy, url } of both(lib, env, OPT_OUT)) {
      const plain = await proxy(request(url));
      assertEqual([plain.status, plain.headers.get("cache-control"), plain.headers.get("x-content-type-options")], [200, "no-store", "nosniff"], `${name}: plain answer`);
      await plain.body?.cancel();
      await queueFault(env, new URL(url).pathname.replace(/^\/(senselink|cyzen)/, name === "cyzen" ? "/webapi/v0" : ""), "hostile-headers");
      const response = await proxy(request(url));
      assertEqual(response.status, 200, `${name}: status`);
      const names = [...response.headers.keys()];
      for (const header of ["set-cookie", "access-control-allow-origin", "access-control-allow-credentials", "access-control-expose-headers",
        "refresh", "location", "strict-transport-security", "link", "x-hostile"]) {
        assert(!names.includes(header), `${name}: ${header} passed back (${names.join(", ")})`);
      }
      assertEqual(response.headers.get("x-content-type-options"), "nosniff", `${name}: nosniff`);
      assertEqual(response.headers.get("content-security-policy"), "sandbox", `${name}: the proxy's own CSP, not upstream's`);
      assertEqual(response.headers.get("cache-control"), "no-store", `${name}: no-store when upstream set no caching`);
      assert((response.headers.get("content-type") ?? "").includes("json"), `${name}: content type kept`);
      // A page reads only the CORS-exposed headers of the sandbox, so in Chromium the id is not seen.
      if (env.runtime !== "chromium") assertEqual(response.headers.get("x-request-id"), "sandbox-hostile-1", `${name}: request id kept`);
      const entries = await requestLog(env, "/");
      assertEqual(entries.at(-1)?.fault, "hostile-headers", `${name}: the fault was applied`);
      assert(typeof (await response.json()) === "object", `${name}: body passed through`);
    }
  },

  async "a declared Content-Length over maxBodyBytes is refused with 413 and nothing is sent"(lib, env) {
    await clearRequestLog(env);
    const senselink = senselinkProxy(lib, env, OPT_OUT);
    const declared = { ...WRITE, "content-type": MULTIPART, "content-length": String(10 * 1024 * 1024 + 1) };
    const message = await refusal(await senselink(request(`${SENSELINK}/api/v1/user`, { method: "POST", headers: declared, body: "--x--" })), 413, (b) => b.code, "senselink default 10 MiB");
    assert(message.includes("maxBodyBytes"), message);
    const small = senselinkProxy(lib, env, { ...OPT_OUT, maxBodyBytes: 1000 });
    await refusal(await small(request(`${SENSELINK}/api/v1/user`, { method: "POST", headers: { ...declared, "content-length": "1001" }, body: "--x--" })), 413, (b) => b.code, "senselink maxBodyBytes");
    const cyzen = cyzenProxy(lib, env, OPT_OUT);
    const form = { ...WRITE, "content-type": FORM, "content-length": String(1024 * 1024 + 1) };
    await refusal(await cyzen(request(`${CYZEN}/spots`, { method: "POST", headers: form, body: "spot_name=x" })), 413, (b) => b.errors[0].err_code / 100, "cyzen default 1 MiB");
    await nothingForwarded(env, "declared oversize");
  },

  async "an undeclared body is counted while it is read and cut at maxBodyBytes with 413; nothing reaches upstream"(lib, env) {
    await clearRequestLog(env);
    const limit = 256 * 1024;
    const total = 16 * 1024 * 1024;
    const cases = [
      ["senselink", senselinkProxy(lib, env, { ...OPT_OUT, maxBodyBytes: limit }), `${SENSELINK}/api/v1/user`, MULTIPART, (b) => b.code],
      ["cyzen", cyzenProxy(lib, env, { ...OPT_OUT, maxBodyBytes: limit }), `${CYZEN}/spots`, FORM, (b) => b.errors[0].err_code / 100],
    ];
    for (const [name, proxy, url, type, code] of cases) {
      const body = bigStream(total);
      const response = await proxy(request(url, { method: "POST", headers: { ...WRITE, "content-type": type }, body: body.stream, duplex: "half" }));
      await refusal(response, 413, code, `${name} chunked`);
      assert(body.pulled < total / 4, `${name}: reading went on to ${body.pulled} bytes of ${total}`);
    }
    const senselinkDefault = senselinkProxy(lib, env, OPT_OUT);
    const big = bigStream(64 * 1024 * 1024);
    const response = await senselinkDefault(request(`${SENSELINK}/api/v1/user`, { method: "POST", headers: { ...WRITE, "content-type": MULTIPART }, body: big.stream, duplex: "half" }));
    await refusal(response, 413, (b) => b.code, "senselink default limit");
    assert(big.pulled < 32 * 1024 * 1024, `read ${big.pulled} bytes of 64 MiB`);
    await nothingForwarded(env, "chunked oversize");
    const ok = senselinkProxy(lib, env, { ...OPT_OUT, maxBodyBytes: limit });
    const within = await ok(request(`${SENSELINK}/api/v1/group`, { method: "POST", headers: { ...WRITE, "content-type": FORM }, body: "name=g&type=1" }));
    assertEqual(within.status, 200, "a body within the limit is forwarded");
  },

  async "signing and tenant parameters in any case, [] form or encoding are refused with 400 and not forwarded"(lib, env) {
    await clearRequestLog(env);
    const senselink = senselinkProxy(lib, env, OPT_OUT);
    for (const key of ["app_key", "APP_KEY", "App_Key", "Sign", "SIGN", "TimeStamp", "sign[]", "app_key[]", "timestamp[0]", "sign%5B%5D", "%73ign", "%2573ign", "app-key", "appKey", "sign%00"]) {
      const text = await refusal(await senselink(request(`${SENSELINK}/api/v1/user/list?size=1&${key}=x`)), 400, (b) => b.code, `senselink ${key}`);
      assert(text.includes("added by the proxy"), text);
    }
    const cyzen = cyzenProxy(lib, env, OPT_OUT);
    const cyzenCode = (b) => b.errors[0].err_code / 100;
    for (const key of ["company_id", "COMPANY_ID", "Company_Id", "company_id[]", "company_id[0]", "company_id%5B%5D", "%63ompany_id", "companyId"]) {
      await refusal(await cyzen(request(`${CYZEN}/spots?${key}=ffff`)), 400, cyzenCode, `cyzen query ${key}`);
      const write = { method: "POST", headers: { ...WRITE, "content-type": FORM }, body: `spot_name=x&${key}=ffff` };
      await refusal(await cyzen(request(`${CYZEN}/spots`, write)), 400, cyzenCode, `cyzen form ${key}`);
      await refusal(await cyzen(request(`${CYZEN}/spots`, { ...write, method: "PUT" })), 400, cyzenCode, `cyzen PUT form ${key}`);
    }
    await nothingForwarded(env, "reserved parameters");
  },

  async "refusals never echo internal error text"(lib, env) {
    for (const { name, proxy, url, code } of both(lib, env, { authorize: () => { throw new Error("db password hunter2"); } })) {
      const text = await refusal(await proxy(request(url)), 401, code, `${name} throwing authorize`);
      assert(!text.includes("hunter2"), text);
    }
    const dead = [
      lib.createSenseLinkProxy({ baseUrl: "http://127.0.0.1:9", appKey: "k", appSecret: "s", ...OPT_OUT })(request(`${SENSELINK}/api/v2/device`)),
      lib.createCyzenProxy({ baseUrl: "http://127.0.0.1:9/webapi/v0", companyId: "c", auth: { staticToken: "t" }, ...OPT_OUT })(request(`${CYZEN}/groups`)),
    ];
    for (const response of await Promise.all(dead)) {
      const text = await response.text();
      assertEqual(response.status, 502, "502");
      assert(!/ECONNREFUSED|fetch failed|TypeError|127\.0\.0\.1/i.test(text), `internal detail in ${text}`);
    }
  },

  async "DNS rebinding (Host and Origin both the attacker's name) is refused before authorize runs"(lib, env) {
    await unthrottled(env);
    let asked = 0;
    const authorize = () => ++asked > 0;
    await clearRequestLog(env);
    const attacker = "http://rebind.evil.example:8787";
    const paths = { senselink: "/senselink/api/v2/device", cyzen: "/cyzen/groups" };
    // The page at the attacker's name, now resolving to the proxy: same-origin as far as Host goes.
    const rebound = [
      { origin: attacker, "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "same-origin" },
      { origin: attacker },
      { "sec-fetch-site": "none" },
    ];
    for (const extra of [{}, OWN]) {
      for (const { name, proxy, code } of both(lib, env, { authorize, ...extra })) {
        for (const headers of rebound) {
          const what = `${name} ${JSON.stringify(extra)} ${JSON.stringify(headers)}`;
          await refusal(await proxy(request(`${attacker}${paths[name]}`, { headers })), 403, code, what);
        }
      }
    }
    // With its origin configured, the proxy refuses any request addressed to another host.
    for (const { name, proxy, code } of both(lib, env, { authorize, ...OWN })) {
      await refusal(await proxy(request(`${attacker}${paths[name]}`)), 403, code, `${name}: a server's request to another host`);
    }
    assertEqual(asked, 0, "authorize never ran");
    await nothingForwarded(env, "rebinding");
    // The proxy's own origin, and without configuration an IP address or localhost (names no
    // rebinding can use), are served.
    const served = [
      [OWN, "https://app.example", { origin: "https://app.example", "sec-fetch-site": "same-origin" }],
      [{}, "http://127.0.0.1:8787", { origin: "http://127.0.0.1:8787", "sec-fetch-site": "same-origin" }],
      [{}, "http://[::1]:8787", { "sec-fetch-site": "same-origin" }],
      [{}, "http://localhost:8787", { origin: "http://localhost:8787" }],
      [{}, "http://admin.localhost", { "sec-fetch-site": "same-origin" }],
      [{}, "https://app.example", {}],
    ];
    for (const [extra, base, headers] of served) {
      for (const { name, proxy } of both(lib, env, { authorize, ...extra })) {
        assertEqual((await proxy(request(`${base}${paths[name]}`, { headers }))).status, 200, `${name} ${base} ${JSON.stringify(headers)}`);
      }
    }
    assertEqual(asked, served.length * 2, "authorize ran for each served request");
  },

  async "origin: checked at creation (an origin, or an array of them)"(lib, env) {
    for (const make of [(extra) => senselinkProxy(lib, env, { ...OPT_OUT, ...extra }), (extra) => cyzenProxy(lib, env, { ...OPT_OUT, ...extra })]) {
      make({ origin: "https://app.example" });
      make({ origin: ["https://app.example", "http://127.0.0.1:8787"] });
      for (const [origin, field] of [["https://app.example/", "origin[0]"], [["https://a.example", "app.example"], "origin[1]"], [42, "origin"]]) {
        try {
          make({ origin });
        } catch (error) {
          assertEqual([error.code, error.field], ["INVALID_INPUT", field], JSON.stringify(origin));
          continue;
        }
        throw new Error(`made a proxy with origin ${JSON.stringify(origin)}`);
      }
    }
  },

  async "what is not a read needs X-Requested-With: an <img> or a form cannot delete, move out or create"(lib, env) {
    await unthrottled(env);
    let asked = 0;
    const authorize = () => ++asked > 0;
    const senselink = senselinkProxy(lib, env, { authorize, ...OWN });
    const cyzen = cyzenProxy(lib, env, { authorize, ...OWN });
    const s = await summary(env);
    const person = s.sample_ids.employees_with_photo[2];
    await clearRequestLog(env);
    // An <img> from a browser without fetch metadata: neither Origin nor Sec-Fetch-Site; one with
    // them (same-origin: a stored <img> on the page itself); a cross-site form POST.
    const img = [{}, { "sec-fetch-site": "same-origin", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" }];
    const writes = [
      ["senselink", senselink, (b) => b.code, `${SENSELINK}/api/v1/user/delete/${person}`, "GET", img],
      ["senselink", senselink, (b) => b.code, `${SENSELINK}/api/v1/guest/delete/${person}`, "GET", img],
      ["senselink", senselink, (b) => b.code, `${SENSELINK}/api/v2/black/move/out?id=${person}`, "GET", img],
      ["senselink", senselink, (b) => b.code, `${SENSELINK}/api/v1/group/delete/1`, "GET", img],
      ["senselink", senselink, (b) => b.code, `${SENSELINK}/api/v1/group`, "POST", [{ "content-type": FORM }, { "content-type": FORM, origin: "https://app.example" }]],
      ["cyzen", cyzen, (b) => b.errors?.[0]?.err_code / 100, `${CYZEN}/spots`, "POST", [{ "content-type": FORM }, { "content-type": FORM, "sec-fetch-site": "same-origin" }]],
      ["cyzen", cyzen, (b) => b.errors?.[0]?.err_code / 100, `${CYZEN}/spots?spot_id=1`, "DELETE", [{}]],
    ];
    for (const [name, proxy, code, url, method, variants] of writes) {
      for (const headers of variants) {
        const body = method === "POST" ? "name=x&type=1" : undefined;
        const text = await refusal(await proxy(request(url, { method, headers, body })), 403, code, `${name} ${method} ${url} ${JSON.stringify(headers)}`);
        assert(text.includes("X-Requested-With"), text);
      }
    }
    assertEqual(asked, 0, "authorize never ran");
    await nothingForwarded(env, "writes without X-Requested-With");
    // Reads need nothing more; the same writes with the header are forwarded.
    assertEqual((await senselink(request(`${SENSELINK}/api/v1/user/list?size=1`))).status, 200, "senselink read");
    assertEqual((await cyzen(request(`${CYZEN}/groups`))).status, 200, "cyzen read");
    const group = await senselink(request(`${SENSELINK}/api/v1/group`, { method: "POST", headers: { ...WRITE, "content-type": FORM }, body: `name=hostile-${Date.now()}&type=1` }));
    assertEqual(group.status, 200, "senselink write with the header");
    const created = (await group.json()).data;
    const removed = await senselink(request(`${SENSELINK}/api/v1/group/delete/${created.id}`, { headers: WRITE }));
    assertEqual([removed.status, (await removed.json()).code], [200, 200], "the GET delete with the header");
    const log = (await requestLog(env, "/api/v1/group")).map((e) => `${e.method} ${e.path}`);
    assertEqual(log, ["POST /api/v1/group", `GET /api/v1/group/delete/${created.id}`], "forwarded writes");
  },

  async "the package's proxy-mode clients send X-Requested-With, so their writes pass"(lib, env) {
    await unthrottled(env);
    const seen = [];
    const via = (proxy) => async (url, init) => {
      const incoming = new Request(url, init);
      seen.push(`${incoming.method} ${incoming.headers.get("x-requested-with")}`);
      return proxy(incoming);
    };
    const sl = new lib.SenseLinkClient({ baseUrl: SENSELINK, proxy: true, fetch: via(senselinkProxy(lib, env, { authorize: () => true, ...OWN })) });
    const s = await summary(env);
    const employee = s.sample_ids.employees_with_photo[3];
    const denyGroup = s.groups.find((g) => g.type === 3).id;
    await sl.denyList.moveIn(employee, [denyGroup]);
    await sl.denyList.moveOut(employee);
    const group = await sl.groups.create({ name: `via-proxy-${Date.now()}`, type: 1 });
    await sl.groups.delete(group.id);
    const cz = new lib.CyzenClient({ baseUrl: CYZEN, auth: { proxy: true }, fetch: via(cyzenProxy(lib, env, { authorize: () => true, ...OWN })) });
    const { spot_id: id } = await cz.spots.create({ spot_name: "ヘッダ 確認", kana_name: "ヘッダ", lat: 35.6, lon: 139.7 });
    await cz.spots.delete(id);
    assert(seen.length >= 6 && seen.every((line) => line.endsWith(" cyzen-senselink")), seen.join(", "));
  },
};
