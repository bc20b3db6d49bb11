// Admin tier, the Worker's security (issue 10): the caller must be authenticated on every route but
// the push receiver, the receiver's key is required, errors carry no internal text, and every answer
// has the security headers. Three Workers run in real workerd under `wrangler dev`:
//   the main one (run.mjs)   DEMO_INSECURE_LOCAL=1, as `make demo` runs it;
//   an Access one            ACCESS_TEAM_DOMAIN/ACCESS_AUD set, the team's keys served by a local
//                            key server (ACCESS_CERTS_URL), tokens signed here with a fresh RSA key;
//   a broken one             SESSION_SECRET too short, so the page fails with an internal error.
import { createServer, request as httpRequest } from "node:http";
import { webcrypto } from "node:crypto";
import { assert, assertEqual } from "../e2e/harness.js";

const { subtle } = webcrypto;
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const TEAM = "admin-tests.cloudflareaccess.com";
const AUD = "9f3c1e0a7b2d4e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f";
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const part = (value) => b64url(Buffer.from(JSON.stringify(value)));
const nowS = () => Math.floor(Date.now() / 1000);

/** A Cloudflare Access stand-in: an RSA key pair, its key set on a local server, token signing. */
export async function accessKit() {
  const generate = () => subtle.generateKey({ ...RS256, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ["sign", "verify"]);
  const [team, stranger] = await Promise.all([generate(), generate()]);
  const { kty, n, e } = await subtle.exportKey("jwk", team.publicKey);
  const jwk = { kid: "team-key", kty, alg: "RS256", use: "sig", n, e };
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches += 1;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const certsUrl = `http://127.0.0.1:${server.address().port}/cdn-cgi/access/certs`;

  const claims = (extra = {}) => ({ aud: [AUD], email: "hanako@example.jp", sub: "user-hanako", iat: nowS() - 5, nbf: nowS() - 5,
    exp: nowS() + 600, iss: `https://${TEAM}`, type: "app", ...extra });
  async function sign(extra = {}, { key = team.privateKey, header = { alg: "RS256", kid: "team-key", typ: "JWT" } } = {}) {
    const input = `${part(header)}.${part(claims(extra))}`;
    return `${input}.${b64url(new Uint8Array(await subtle.sign(RS256, key, Buffer.from(input))))}`;
  }
  async function hs256WithPublicKey() {
    const secret = new Uint8Array(await subtle.exportKey("spki", team.publicKey));
    const hmac = await subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const input = `${part({ alg: "HS256", kid: "team-key", typ: "JWT" })}.${part(claims())}`;
    return `${input}.${b64url(new Uint8Array(await subtle.sign("HMAC", hmac, Buffer.from(input))))}`;
  }
  return {
    devVars: { ACCESS_TEAM_DOMAIN: TEAM, ACCESS_AUD: AUD, ACCESS_CERTS_URL: certsUrl },
    sign,
    forged: async () => ({
      "signed by another key": await sign({}, { key: stranger.privateKey }),
      "HS256 with the public key as secret": await hs256WithPublicKey(),
      "alg none": `${part({ alg: "none", kid: "team-key" })}.${part(claims())}.`,
      "another application (aud)": await sign({ aud: ["someone-elses-app"] }),
      "expired": await sign({ exp: nowS() - 3600, iat: nowS() - 7200, nbf: nowS() - 7200 }),
      "another team (iss)": await sign({ iss: "https://evil.cloudflareaccess.com" }),
      "garbage": "not.a.jwt",
    }),
    fetches: () => fetches,
    stop: () => server.close(),
  };
}

/** A request with any Host header (fetch() cannot set one): `{ status, headers, body }`. */
function rawRequest(url, { method = "GET", headers = {}, body } = {}) {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: pathname + search, method, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Every state-changing or data-reading route of the Worker that must refuse an unknown caller. */
const GUARDED = [
  ["GET", "/senselink/api/v1/user/list"],
  ["POST", "/senselink/api/v1/user"],
  ["GET", "/senselink/api/v1/user/delete/1"],
  ["POST", "/senselink/api/v2/black/move/in"],
  ["GET", "/senselink/api/v2/black/move/out?id=1"],
  ["GET", "/cyzen/spots"],
  ["POST", "/cyzen/spots"],
  ["DELETE", "/cyzen/spots/1"],
  ["GET", "/events/recent"],
  ["GET", "/sync/last"],
  ["POST", "/cyzen/logout"],
];

// A curl-style caller sends whatever headers it likes: X-Requested-With too, which the proxies
// require on writes (before their caller check) and an <img> or a form from another site cannot send.
const send = (W, method, path, headers = {}) => fetch(`${W}${path}`, {
  method, headers: { "x-requested-with": "curl", ...headers }, redirect: "manual",
  body: method === "GET" || method === "DELETE" ? undefined : JSON.stringify({ name: "curl", groups: [1] }),
});

/** The security headers every answer carries; `html` also checks the page's CSP. */
function assertSecurityHeaders(headers, what, html = false) {
  const get = (name) => (typeof headers.get === "function" ? headers.get(name) : headers[name]) ?? "";
  const csp = get("content-security-policy");
  assert(csp.includes("frame-ancestors 'none'"), `${what}: CSP frame-ancestors 'none' (${csp})`);
  assert(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'"), `${what}: no unsafe-inline/unsafe-eval (${csp})`);
  assert(/max-age=\d{7,}/.test(get("strict-transport-security")), `${what}: HSTS`);
  assertEqual(get("x-content-type-options"), "nosniff", `${what}: nosniff`);
  assert(get("referrer-policy") !== "", `${what}: Referrer-Policy`);
  if (html) {
    assert(/script-src 'self'( 'wasm-unsafe-eval')?( 'sha256-[A-Za-z0-9+/=]+')*(;|$)/.test(csp), `${what}: script-src 'self' and hashes only (${csp})`);
    assert(csp.includes("default-src 'none'"), `${what}: default-src 'none'`);
  }
}

/** Checks against the main (demo-mode) Worker `W`. */
export async function demoModeChecks({ check, W, eventsKey, requestLog, clearLog }) {
  await check("curl-style callers (no Origin, no cookie, no JWT) are refused on every proxy and data route; nothing forwarded", async () => {
    await clearLog();
    for (const [method, path] of GUARDED) {
      const answer = await send(W, method, path);
      assertEqual(answer.status, 401, `${method} ${path}`);
      assert(!answer.headers.get("set-cookie"), `${method} ${path}: no cookie handed out`);
    }
    assertEqual((await requestLog("/api/")).length + (await requestLog("/webapi/")).length, 0, "requests forwarded upstream");
  });

  await check("the local demo mode is refused unless the request is addressed to a loopback host: 503, no cookie", async () => {
    for (const host of ["admin.example", "127.0.0.1.nip.io", "evil.example:8787"]) {
      const page = await rawRequest(`${W}/`, { headers: { host, accept: "text/html" } });
      assertEqual(page.status, 503, `GET / with Host ${host}`);
      assert(!page.headers["set-cookie"], "no session cookie");
      assert(page.body.includes("not configured"), "the static notice");
      assertSecurityHeaders(page.headers, "the notice", true);
      for (const [method, path] of [["GET", "/senselink/api/v1/user/list"], ["GET", "/events/recent"], ["POST", `/senselink/events?key=${eventsKey}`]]) {
        assertEqual((await rawRequest(`${W}${path}`, { method, headers: { host } })).status, 503, `${method} ${path} with Host ${host}`);
      }
    }
  });

  await check("the push receiver: no key or a wrong key 403 (nothing stored), the right key 200", async () => {
    const event = { eventType: "30100", messageId: `key-check-${Date.now()}`, sendTime: Date.now(), data: { deviceName: "gate", alertType: 1, alertMessage: "x", alertTime: Date.now() } };
    const post = (query) => fetch(`${W}/senselink/events${query}`, { method: "POST", body: JSON.stringify(event) });
    for (const query of ["", "?key=", `?key=${eventsKey.slice(0, -1)}`, `?key=${eventsKey}x`, `?key=${eventsKey.replace(/.$/, (c) => (c === "0" ? "1" : "0"))}`,
      `?key=${eventsKey.toUpperCase() === eventsKey ? eventsKey.toLowerCase() : eventsKey.toUpperCase()}`]) {
      const answer = await post(query);
      assertEqual(answer.status, 403, `key ${JSON.stringify(query)}`);
      assertSecurityHeaders(answer.headers, "receiver refusal");
    }
    assertEqual((await post(`?key=${eventsKey}`)).status, 200, "the right key");
  });

  await check("security headers on every answer: the page, its scripts, JSON, proxy answers, refusals", async () => {
    const page = await fetch(`${W}/`);
    assertSecurityHeaders(page.headers, "GET /", true);
    const inline = [...(await page.text()).matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)].length;
    assertEqual((page.headers.get("content-security-policy").match(/'sha256-/g) ?? []).length, inline, "one hash per inline script (the import map)");
    for (const path of ["/app.js", "/style.css", "/vendor/cyzen-senselink/dist/senselink.browser.js", "/app/config", "/senselink/api/v1/user/list", "/cyzen/spots", "/no-such-file"]) {
      assertSecurityHeaders((await fetch(`${W}${path}`)).headers, path);
    }
  });
}

/** Checks against a Worker run with Cloudflare Access configured (and DEMO_INSECURE_LOCAL=1 too). */
export async function accessModeChecks({ check, A, kit, eventsKey, requestLog, clearLog, browser, consoleErrors }) {
  await check("Access: without a token every route but the push receiver answers 401 (the demo flag does not open it)", async () => {
    await clearLog();
    for (const [method, path] of [["GET", "/"], ["GET", "/app/config"], ["GET", "/app.js"], ["GET", "/cyzen/session"], ["GET", "/cyzen/login"], ...GUARDED]) {
      for (const headers of [{}, { "cf-access-authenticated-user-email": "admin@example.jp" }]) {
        const answer = await send(A, method, path, headers);
        assertEqual(answer.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
        assertEqual(await answer.json(), { error: "unauthorized" }, "no detail");
        assert(!answer.headers.get("set-cookie"), "no session cookie");
      }
    }
    assertEqual((await requestLog("/api/")).length, 0, "nothing forwarded");
  });

  await check("Access: forged, expired or foreign tokens answer 403 without detail, and no cookie", async () => {
    for (const [what, jwt] of Object.entries(await kit.forged())) {
      for (const path of ["/", "/senselink/api/v1/user/list", "/events/recent"]) {
        const answer = await fetch(`${A}${path}`, { headers: { "cf-access-jwt-assertion": jwt } });
        assertEqual([answer.status, await answer.text()], [403, '{"error":"forbidden"}'], `${what} on ${path}`);
        assert(!answer.headers.get("set-cookie"), `${what}: no session cookie`);
        assertSecurityHeaders(answer.headers, `${what} refusal`);
      }
    }
  });

  await check("Access: a valid token gets the page and a session cookie bound to that user; the proxy then works", async () => {
    await clearLog();
    const jwt = await kit.sign();
    const page = await fetch(`${A}/`, { headers: { "cf-access-jwt-assertion": jwt } });
    assertEqual(page.status, 200, "page");
    assertSecurityHeaders(page.headers, "page", true);
    const sid = /sid=([^;]+)/.exec(page.headers.get("set-cookie") ?? "")?.[1];
    assert(sid, "session cookie set after authentication");
    const withBoth = { "cf-access-jwt-assertion": jwt, cookie: `sid=${sid}` };
    assertEqual((await fetch(`${A}/senselink/api/v1/user/list?size=1`, { headers: withBoth })).status, 200, "proxy with token and cookie");
    assertEqual((await fetch(`${A}/events/recent`, { headers: withBoth })).status, 200, "events with token and cookie");
    assertEqual((await fetch(`${A}/senselink/api/v1/user/list?size=1`, { headers: { cookie: `sid=${sid}` } })).status, 401, "the cookie alone");
    // Another Access user presenting this cookie: it is bound to the first one.
    const other = { "cf-access-jwt-assertion": await kit.sign({ sub: "user-taro", email: "taro@example.jp" }), cookie: `sid=${sid}` };
    assertEqual((await fetch(`${A}/senselink/api/v1/user/list?size=1`, { headers: other })).status, 401, "another user's token with this cookie");
    assertEqual((await fetch(`${A}/events/recent`, { headers: other })).status, 401, "another user's token with this cookie (events)");
    assert((await fetch(`${A}/`, { headers: other })).headers.get("set-cookie")?.startsWith("sid="), "the other user gets a session of their own");
    assertEqual((await requestLog("/api/")).length, 1, "only the authorised call was forwarded");
    assert(kit.fetches() >= 1, "the team's keys were fetched from the key server");
  });

  await check("Access: the push receiver needs no token, only its key", async () => {
    const event = { eventType: "30100", messageId: `access-${Date.now()}`, sendTime: Date.now(), data: { deviceName: "gate", alertType: 1, alertMessage: "x", alertTime: Date.now() } };
    assertEqual((await fetch(`${A}/senselink/events?key=${eventsKey}`, { method: "POST", body: JSON.stringify(event) })).status, 200, "right key");
    assertEqual((await fetch(`${A}/senselink/events?key=nope`, { method: "POST", body: JSON.stringify(event) })).status, 403, "wrong key");
  });

  await check("Access: the page works in Chromium with a valid token (CSP allows it; no console error)", async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { "cf-access-jwt-assertion": await kit.sign() } });
    const page = await context.newPage();
    const errors = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(String(error)));
    try {
      await page.goto(`${A}/`);
      await page.waitForSelector("body[data-ready=true]");
      await page.locator("#people-list li.person").first().waitFor();
      assertEqual(errors, [], "console errors");
    } finally {
      consoleErrors.push(...errors.map((e) => `access page: ${e}`));
      await context.close();
    }
  });
}

/** Checks against a Worker whose configuration makes the page fail (SESSION_SECRET too short). */
export async function internalErrorChecks({ check, B, secrets }) {
  await check("an internal error answers 500 with a request id only: no message, no stack, no setting names", async () => {
    // A well-formed session cookie makes every route check its MAC, which needs the secret.
    const cookie = `sid=${"0".repeat(32)}.${nowS() + 3600}.${"A".repeat(43)}`;
    for (const path of ["/", "/app/config", "/events/recent"]) {
      const answer = await fetch(`${B}${path}`, { headers: { cookie } });
      assertEqual(answer.status, 500, path);
      assertSecurityHeaders(answer.headers, `500 on ${path}`);
      const body = await answer.json();
      assertEqual(Object.keys(body).sort(), ["error", "requestId"], `${path}: body fields`);
      assertEqual(body.error, "internal error", `${path}: message`);
      assert(/^[0-9a-f-]{36}$/.test(body.requestId), `${path}: request id`);
      const text = JSON.stringify(body);
      for (const needle of ["SESSION_SECRET", "Error", "at ", ".js", ...Object.values(secrets)]) {
        assert(!text.includes(needle), `${path}: the body contains ${JSON.stringify(needle)}`);
      }
    }
  });
}
