// The browser mode of the cyzen client behind `createCyzenProxy`: a client with `auth: { proxy: true }`
// (no token, no company id) paces, retries and paginates as usual; the proxy checks the path
// against the resource table, replaces company_id, adds `Authorization: bearer` (refreshing OAuth
// tokens when they expire or are refused) and forwards over real HTTP to the sandbox. The browser
// side is wired to the proxy with the client's `fetch` option (a Request handed to the proxy
// function, as a Worker would receive it).
import { admin, assert, assertEqual, clearRequestLog, expectError, requestLog } from "../harness.js";
import { formField, param, resetStats, signIn, stats } from "./cyzen-common.js";

const MOUNT = "https://app.example/cyzen";
// Writes carry X-Requested-With, as the page-side client's do (without it the proxy answers 403).
const FORM = { "content-type": "application/x-www-form-urlencoded", "x-requested-with": "cyzen-senselink" };

function proxyFor(lib, env, extra = {}) {
  return lib.createCyzenProxy({
    baseUrl: env.cyzen.baseUrl,
    companyId: env.cyzen.companyId,
    auth: { staticToken: env.cyzen.staticToken },
    authorize: () => true,
    ...extra,
  });
}

/** A page-side client whose requests go to `proxy`; `seen` collects what the proxy received. */
function browserClient(lib, proxy, seen = [], extra = {}) {
  return new lib.CyzenClient({
    baseUrl: MOUNT,
    auth: { proxy: true },
    fetch: async (url, init) => {
      const request = new Request(url, init);
      seen.push({ url: request.url, method: request.method, headers: Object.fromEntries(request.headers) });
      return proxy(request);
    },
    ...extra,
  });
}

async function refused(response, status) {
  assertEqual(response.status, status, "status");
  assert((response.headers.get("content-type") ?? "").startsWith("application/json"), "JSON refusal");
  const body = await response.json();
  assertEqual(body.errors?.[0]?.err_code, status * 100, "cyzen-style err_code");
  return body.errors[0].err_msg;
}

export const checks = {
  async "a page client without token or company id lists every page; the proxy adds both"(lib, env) {
    const seen = [];
    const browser = browserClient(lib, proxyFor(lib, env), seen);
    await clearRequestLog(env);
    const pages = [];
    for await (const page of browser.spots.list({}, { onProgress: (p) => pages.push(p.items) }).pages()) assert(page.items.length > 0, "items");
    const upstream = await requestLog(env, "/webapi/v0/spots");
    assert(pages.length >= 3 && pages.length === upstream.length, `pages: ${pages.length}, upstream: ${upstream.length}`);
    for (const request of seen) {
      const url = new URL(request.url);
      assertEqual(url.pathname, "/cyzen/spots", "page request path");
      assert(!url.searchParams.has("company_id"), "the page sent company_id");
      assert(!("authorization" in request.headers), "the page sent a token");
    }
    for (const entry of upstream) {
      assertEqual(param(entry, "company_id"), env.cyzen.companyId, "company_id added");
      assertEqual(entry.headers.authorization, `bearer ${env.cyzen.staticToken}`, "token added");
    }
    assertEqual(param(upstream[1], "next_spot_id") !== undefined, true, "the cursor was echoed through the proxy");
  },

  async "writes are form bodies with the proxy's company_id; a caller's company_id is refused with 400"(lib, env) {
    const proxy = proxyFor(lib, env);
    const browser = browserClient(lib, proxy);
    await clearRequestLog(env);
    const { spot_id: id } = await browser.spots.create({ spot_name: "プロキシ 営業所", kana_name: "プロキシ", lat: 35.68, lon: 139.76 });
    assert(typeof id === "string" && id.length > 0, "created");
    await browser.spots.update(id, { comment: "更新済み" });
    const [spot] = await browser.spots.list({ spot_id: id }).toArray({ limit: 1 });
    assertEqual([spot.spot_name, spot.comment], ["プロキシ 営業所", "更新済み"], "read back");
    const evil = "ffffffffffffffffffffffffffffffff";
    assert((await refused(await proxy(new Request(`${MOUNT}/spots`, { method: "POST", headers: FORM, body: `company_id=${evil}&spot_name=x` })), 400)).includes("company_id"), "form body");
    await refused(await proxy(new Request(`${MOUNT}/spots?company_id=${evil}`, { method: "POST", headers: FORM, body: "spot_name=x" })), 400);
    await refused(await proxy(new Request(`${MOUNT}/spots?company_id=${evil}`)), 400);
    const writes = (await requestLog(env, "/webapi/v0/spots")).filter((e) => e.method !== "GET");
    assertEqual(writes.map((e) => e.method), ["POST", "PUT"], "methods");
    for (const entry of writes) {
      assertEqual(formField(entry, "company_id"), env.cyzen.companyId, "company_id in the form");
      assertEqual(entry.body.fields.filter((f) => f.name === "company_id").length, 1, "exactly one company_id");
      assert(!entry.query_params.some((p) => p.name === "company_id"), "no company_id in a write's query");
    }
    assertEqual(formField(writes[1], "spot_id"), id, "PUT carries the id in the body");
    await browser.spots.delete(id);
    const [del] = (await requestLog(env, "/webapi/v0/spots")).filter((e) => e.method === "DELETE");
    assertEqual([param(del, "company_id"), param(del, "spot_id")], [env.cyzen.companyId, id], "DELETE query");
  },

  async "with OAuth, an expired or refused token is refreshed once for concurrent callers"(lib, env) {
    const { oauth } = await signIn(lib, env);
    const browser = browserClient(lib, proxyFor(lib, env, { auth: oauth }));
    assert((await browser.users.list().toArray({ limit: 3 })).length === 3, "listed with the OAuth token");
    await admin(env, "/__admin/cyzen/expire", { all: true });
    await resetStats(env);
    const lists = await Promise.all([1, 2, 3, 4].map(() => browser.statuses.list().toArray({ limit: 1 })));
    assertEqual(lists.map((l) => l.length), [1, 1, 1, 1], "every call succeeded after the refresh");
    const s = await stats(env);
    assertEqual(s.token_endpoint.refresh_token, { calls: 1, ok: 1 }, "one refresh");
    const tokens = await oauth.getTokens();
    const last = (await requestLog(env, "/webapi/v0/statuses")).at(-1);
    assertEqual(last.headers.authorization, `bearer ${tokens.accessToken}`, "the new token was used");
  },

  async "not signed in, or a refused refresh, is a 401 the page sees as CYZEN_UNAUTHORIZED"(lib, env) {
    await clearRequestLog(env);
    const nobody = browserClient(lib, proxyFor(lib, env, { auth: () => null }));
    const error = await expectError(nobody.users.list().toArray({ limit: 1 }), "CYZEN_UNAUTHORIZED", lib.CyzenError);
    assertEqual(error.status, 401, "status");
    assert(error.message.includes("sign in"), error.message);
    const empty = new lib.CyzenOAuth({
      authorizeUrl: env.cyzen.authorizeUrl, tokenUrl: env.cyzen.tokenUrl, clientId: env.cyzen.clientId,
      redirectUri: `${env.sandboxUrl}/callback`,
    });
    await expectError(browserClient(lib, proxyFor(lib, env, { auth: async () => empty })).users.list().toArray({ limit: 1 }), "CYZEN_UNAUTHORIZED");
    assertEqual((await requestLog(env, "/webapi")).length, 0, "nothing forwarded without a token");
    const { oauth, tokens } = await signIn(lib, env);
    await admin(env, "/__admin/cyzen/expire", { refresh_token: tokens.refreshToken });
    await admin(env, "/__admin/cyzen/expire", { all: true });
    const expired = browserClient(lib, proxyFor(lib, env, { auth: oauth }));
    const again = await expectError(expired.users.list().toArray({ limit: 1 }), "CYZEN_UNAUTHORIZED", lib.CyzenError);
    assert(again.message.includes("sign in again"), again.message);
  },

  async "paths outside the table, methods it does not list and non-form writes are refused and never forwarded"(lib, env) {
    const proxy = proxyFor(lib, env);
    await clearRequestLog(env);
    assert((await refused(await proxy(new Request(`${MOUNT}/login`)), 404)).includes("no cyzen resource"), "404");
    await refused(await proxy(new Request(`${MOUNT}/sp%20ots`)), 400);
    await refused(await proxy(new Request(`${MOUNT}/reports`, { method: "POST", headers: FORM, body: "a=1" })), 403);
    await refused(await proxy(new Request(`${MOUNT}/histories?history_id=1`, { method: "DELETE", headers: FORM })), 403);
    await refused(await proxy(new Request(`${MOUNT}/spots`, { method: "PATCH", headers: FORM, body: "a=1" })), 405);
    await refused(await proxy(new Request(`${MOUNT}/spots`, { method: "POST", headers: { ...FORM, "content-type": "application/json" }, body: "{}" })), 415);
    assertEqual(await requestLog(env, "/"), [], "nothing forwarded");
  },

  async "the allow-list narrows with patterns or is decided by a function; authorize decides first"(lib, env) {
    await clearRequestLog(env);
    const narrow = browserClient(lib, proxyFor(lib, env, { allow: ["GET /spots"] }));
    assertEqual((await narrow.spots.list().toArray({ limit: 1 })).length, 1, "allowed");
    const error = await expectError(narrow.spots.create({ spot_name: "x" }), "CYZEN_API", lib.CyzenError);
    assertEqual([error.status, error.apiCode], [403, 40300], "refused by the proxy");
    const seen = [];
    const decided = browserClient(lib, proxyFor(lib, env, {
      allow: ({ method, path, resource, allowedByDefault, request }) => {
        seen.push([method, path, resource, allowedByDefault, request instanceof Request]);
        return method === "GET";
      },
    }));
    await decided.userTags.list().toArray({ limit: 1 });
    await expectError(decided.groups.create({ group_name: "g" }), "CYZEN_API");
    assertEqual(seen, [["GET", "/user_tags", "userTags", true, true], ["POST", "/groups", "groups", true, true]], "function calls");
    const denied = proxyFor(lib, env, { authorize: () => false });
    assert((await refused(await denied(new Request(`${MOUNT}/spots`)), 401)).includes("authorize"), "401");
    const throwing = proxyFor(lib, env, { authorize: async () => { throw new Error("session secret xyz"); } });
    assert(!(await refused(await throwing(new Request(`${MOUNT}/spots`)), 401)).includes("xyz"), "the thrown message is not echoed");
    const custom = proxyFor(lib, env, { authorize: () => new Response("sign in", { status: 302, headers: { location: "/" } }) });
    assertEqual((await custom(new Request(`${MOUNT}/spots`))).status, 302, "a Response is returned as is");
    const log = await requestLog(env, "/webapi/");
    assertEqual(log.map((e) => `${e.method} ${e.path}`), ["GET /webapi/v0/spots", "GET /webapi/v0/user_tags"], "only allowed calls forwarded");
  },

  async "page-side headers such as cookies and authorization stay behind; Set-Cookie does not come back"(lib, env) {
    const proxy = proxyFor(lib, env);
    await clearRequestLog(env);
    const response = await proxy(new Request(`${MOUNT}/groups`, {
      headers: { authorization: "Bearer page-session", cookie: "sid=abc", "x-custom": "1", "accept-language": "ja" },
    }));
    assertEqual(response.status, 200, "forwarded");
    assert(Array.isArray((await response.json()).groups), "the answer is cyzen's");
    const headers = (await requestLog(env, "/webapi/"))[0].headers;
    assertEqual(headers.authorization, `bearer ${env.cyzen.staticToken}`, "the proxy's token replaces the page's");
    for (const name of ["cookie", "x-custom"]) assert(!(name in headers), `${name} forwarded`);
    assertEqual(headers["accept-language"], "ja", "accept-language forwarded");
  },

  async "an unreachable upstream gives 502 and an upstream timeout 504"(lib, env) {
    const dead = lib.createCyzenProxy({ baseUrl: "http://127.0.0.1:9/webapi/v0", companyId: env.cyzen.companyId, auth: { staticToken: "t" }, authorize: () => true });
    assertEqual(await refused(await dead(new Request(`${MOUNT}/groups`)), 502), "cyzen could not be reached", "a generic message, no internal error text");
    await fetch(`${env.sandboxUrl}/__admin/faults`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ path_prefix: "/webapi/v0/groups", count: 1, fault: "latency=3000" }),
    });
    await refused(await proxyFor(lib, env, { timeoutMs: 100 })(new Request(`${MOUNT}/groups`)), 504);
  },

  async "options are checked when the proxy or the page client is made"(lib, env) {
    const fails = (make, field) => {
      try {
        make();
      } catch (error) {
        assert(error instanceof lib.InvalidInputError, String(error));
        assertEqual(error.field, field, "field");
        return;
      }
      throw new Error(`accepted (${field})`);
    };
    const authorize = () => true;
    fails(() => lib.createCyzenProxy({ auth: { staticToken: "t" }, authorize }), "companyId");
    fails(() => lib.createCyzenProxy({ companyId: "c", auth: {}, authorize }), "auth");
    fails(() => lib.createCyzenProxy({ companyId: "c", auth: { staticToken: "t" }, authorize, baseUrl: "/relative" }), "baseUrl");
    fails(() => lib.createCyzenProxy({ companyId: "c", auth: { staticToken: "t" }, authorize, allow: ["GET /nope"] }), "allow[0]");
    fails(() => lib.createCyzenProxy({ companyId: "c", auth: { staticToken: "t" }, authorize, paths: { spotz: "/x" } }), "paths.spotz");
    fails(() => lib.createCyzenProxy({ companyId: "c", auth: { staticToken: "t" }, authorize: "yes" }), "authorize");
    fails(() => lib.createCyzenProxy({ companyId: "c", auth: { staticToken: "t" }, authorize, maxBodyBytes: 1.5 }), "maxBodyBytes");
    fails(() => lib.createCyzenProxy({ companyId: "c", auth: { staticToken: "t" }, authorize, allowedOrigins: "https://a.example" }), "allowedOrigins");
    fails(() => new lib.CyzenClient({ baseUrl: "/cyzen", auth: { proxy: true }, companyId: env.cyzen.companyId }), "companyId");
    fails(() => new lib.CyzenClient({ baseUrl: "//other.example/cyzen", auth: { proxy: true } }), "baseUrl");
    const page = new lib.CyzenClient({ baseUrl: "/cyzen", auth: { proxy: true } });
    assert(page.spots.list && page.spots.create, "a page client without token or company id");
  },
};
