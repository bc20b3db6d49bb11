// toNodeHandler (issue 11): both proxies served by a real node:http server — the page-side clients
// in proxy mode go through it, a face photo streams through it, refusals keep their status.
import { assert, assertEqual, expectError } from "../harness.js";
import { png, summary } from "./senselink.js";

// Node only: the adapter is for Node's http module (and Express on top of it).
export const runtimes = ["node"];

async function serve(handler) {
  // No `import`: the suites are also bundled for workerd and Chromium (where this never runs).
  const { createServer } = globalThis.process.getBuiltinModule("node:http");
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  }) };
}

/** `node:http`, without an `import` (the suites are also bundled for workerd and Chromium). */
const http = () => globalThis.process.getBuiltinModule("node:http");

/** A promise and its resolver that fires once `count()` reaches `n` (call `tick()` after each change). */
function whenCount(n) {
  let count = 0;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  return { done, tick: () => ++count >= n && resolve(), get count() { return count; } };
}

/** Rejects after `ms` with `what`: only bounds a hang, never a measure of speed. */
function bound(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} (still pending after ${ms} ms)`)), ms))),
  ]);
}

/** A raw `node:http` GET to `url` that the caller hangs up on with `request.destroy()`. */
function rawGet(url, onResponse = () => undefined) {
  const request = http().get(url, onResponse);
  request.on("error", () => undefined);
  return request;
}

/**
 * Serves `handler` through toNodeHandler, keeping every handler promise and every `next(error)`:
 * the adapter as Express middleware.
 */
async function serveTracked(lib, handler) {
  const tracked = { promises: [], nextErrors: [] };
  const adapter = lib.toNodeHandler(handler);
  const server = await serve((req, res) => {
    tracked.promises.push(adapter(req, res, (error) => tracked.nextErrors.push(error)));
  });
  return { ...server, tracked };
}

const CLIENTS = 30;

export const checks = {
  async "30 clients hanging up while the upstream holds the answer: every handler settles, every upstream request is aborted"(lib, env) {
    const arrived = whenCount(CLIENTS);
    const aborted = whenCount(CLIENTS);
    const upstream = await serve((req, res) => {
      arrived.tick();
      res.on("close", () => !res.writableEnded && aborted.tick());
    });
    const proxy = lib.createSenseLinkProxy({ baseUrl: upstream.url, appKey: "k", appSecret: "s", unsafelyAllowAnyCaller: true });
    const server = await serveTracked(lib, proxy);
    try {
      const clients = Array.from({ length: CLIENTS }, () => rawGet(`${server.url}/senselink/api/v2/device`));
      await bound(arrived.done, 20_000, `only ${arrived.count} of ${CLIENTS} requests reached the upstream`);
      for (const client of clients) client.destroy();
      await bound(aborted.done, 20_000, `the upstream saw ${aborted.count} of ${CLIENTS} requests aborted`);
      const settled = await bound(Promise.allSettled(server.tracked.promises), 20_000, `handler promises unsettled`);
      assertEqual(settled.length, CLIENTS, "handler calls");
      assertEqual(settled.filter((s) => s.status === "fulfilled").length, CLIENTS, "every handler promise fulfilled");
      assertEqual(server.tracked.nextErrors.length, 0, "no next(error): the proxy answered (nobody reads it)");
    } finally {
      await server.close();
      await upstream.close();
    }
  },

  async "30 clients hanging up mid-answer while writes wait for drain: every handler settles, every upstream stream is aborted"(lib, env) {
    const chunk = new Uint8Array(64 * 1024).fill(0x7b);
    const blocked = whenCount(CLIENTS);
    const aborted = whenCount(CLIENTS);
    // An endless answer, written as fast as the proxy takes it: `write` returning false means the
    // whole chain (client, adapter, proxy) has stopped reading.
    const upstream = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      let waiting = false;
      const pump = () => {
        while (!res.destroyed) {
          if (!res.write(chunk)) {
            if (!waiting) blocked.tick();
            waiting = true;
            res.once("drain", pump);
            return;
          }
        }
      };
      res.on("close", () => !res.writableEnded && aborted.tick());
      pump();
    });
    const proxy = lib.createSenseLinkProxy({ baseUrl: upstream.url, appKey: "k", appSecret: "s", unsafelyAllowAnyCaller: true });
    const server = await serveTracked(lib, proxy);
    try {
      // Each client reads the head and one chunk, then stops reading: the adapter's writes back up.
      const clients = Array.from({ length: CLIENTS }, () => rawGet(`${server.url}/senselink/api/v2/device`, (res) => res.once("data", () => res.pause())));
      await bound(blocked.done, 30_000, `only ${blocked.count} of ${CLIENTS} upstream answers backed up`);
      for (const client of clients) client.destroy();
      await bound(aborted.done, 20_000, `the upstream saw ${aborted.count} of ${CLIENTS} answers aborted`);
      const settled = await bound(Promise.allSettled(server.tracked.promises), 20_000, `handler promises unsettled`);
      assertEqual(settled.filter((s) => s.status === "fulfilled").length, CLIENTS, "every handler promise fulfilled");
      assertEqual(server.tracked.nextErrors.length, 0, "no next(error): a hang-up mid-answer is no failure");
    } finally {
      await server.close();
      await upstream.close();
    }
  },

  async "a handler that fails after a hang-up: the request's signal fires, next(error) gets the failure, 30 times"(lib) {
    const started = whenCount(CLIENTS);
    const server = await serveTracked(lib, async (request) => {
      started.tick();
      await new Promise((resolve) => request.signal.addEventListener("abort", resolve, { once: true }));
      throw new Error("the client left");
    });
    try {
      const clients = Array.from({ length: CLIENTS }, () => rawGet(`${server.url}/anything`));
      await bound(started.done, 20_000, `only ${started.count} of ${CLIENTS} handlers started`);
      for (const client of clients) client.destroy();
      const settled = await bound(Promise.allSettled(server.tracked.promises), 20_000, `handler promises unsettled`);
      assertEqual(settled.filter((s) => s.status === "fulfilled").length, CLIENTS, "every handler promise fulfilled");
      assertEqual(server.tracked.nextErrors.map((e) => e?.message), Array(CLIENTS).fill("the client left"), "next(error) for each");
    } finally {
      await server.close();
    }
  },

  async "the SenseLink proxy on node:http: lists, a streamed photo upload, a refusal"(lib, env) {
    const proxy = lib.createSenseLinkProxy({
      baseUrl: env.sandboxUrl, appKey: env.senselink.appKey, appSecret: env.senselink.appSecret,
      authorize: (request) => request.headers.get("x-test-session") === "ok",
    });
    const server = await serve(lib.toNodeHandler(proxy));
    try {
      const withSession = (url, init = {}) => {
        const headers = new Headers(init.headers);
        headers.set("x-test-session", "ok");
        return fetch(url, { ...init, headers });
      };
      const c = new lib.SenseLinkClient({ baseUrl: `${server.url}/senselink`, proxy: true, fetch: withSession });
      assertEqual((await c.persons.list({ size: 3 })).items.length, 3, "a list through the adapter");
      const s = await summary(env);
      const created = await c.employees.create({ name: "アダプタ 経由", avatar: png(300_000), groups: [s.groups.find((g) => g.type === 1).id] });
      assert(created.id > 0, "a 300 KB photo streamed through");
      await c.employees.delete(created.id);
      const refused = new lib.SenseLinkClient({ baseUrl: `${server.url}/senselink`, proxy: true });
      const error = await expectError(refused.persons.list(), "HTTP_STATUS", lib.HttpError);
      assertEqual(error.status, 401, "authorize() refusal");
    } finally {
      await server.close();
    }
  },

  async "the cyzen proxy on node:http, mounted under a path as Express would (originalUrl)"(lib, env) {
    const proxy = lib.createCyzenProxy({
      baseUrl: env.cyzen.baseUrl, companyId: env.cyzen.companyId, auth: { staticToken: env.cyzen.staticToken },
      authorize: () => true,
    });
    const handler = lib.toNodeHandler(proxy);
    // Express strips the mount path from req.url and keeps the whole path in req.originalUrl.
    const server = await serve((req, res) => {
      req.originalUrl = req.url;
      req.url = req.url.replace(/^\/cyzen/, "") || "/";
      return handler(req, res);
    });
    try {
      const c = new lib.CyzenClient({ baseUrl: `${server.url}/cyzen`, auth: { proxy: true } });
      assertEqual((await c.groups.list().toArray({ limit: 2 })).length, 2, "a cyzen list through the adapter");
    } finally {
      await server.close();
    }
  },

  async "trustForwardedHeaders takes the last X-Forwarded-Host/-Proto (the nearest proxy's), not the client's first"(lib, env) {
    let asked = 0;
    const proxy = lib.createSenseLinkProxy({
      baseUrl: env.sandboxUrl, appKey: env.senselink.appKey, appSecret: env.senselink.appSecret,
      origin: "https://admin.example", authorize: () => ++asked > 0,
    });
    const server = await serve(lib.toNodeHandler(proxy, { trustForwardedHeaders: true }));
    try {
      const get = (headers) => new Promise((resolve, reject) => {
        const request = http().get(`${server.url}/senselink/api/v2/device`, { headers }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        });
        request.on("error", reject);
      });
      // The client says it is at evil.example; the reverse proxy in front appends the real host.
      const forged = { "x-forwarded-host": "rebind.evil.example, admin.example", "x-forwarded-proto": "http, https" };
      assertEqual(await get({ ...forged, origin: "http://rebind.evil.example", "sec-fetch-site": "same-origin" }), 403, "the client's forwarded host is not believed");
      assertEqual(asked, 0, "authorize never ran for it");
      assertEqual(await get({ ...forged, origin: "https://admin.example", "sec-fetch-site": "same-origin" }), 200, "the page at the real host");
      // Node joins repeated X-Forwarded-* headers: the last one is still the nearest proxy's.
      assertEqual(await get({ "x-forwarded-host": ["rebind.evil.example", "admin.example"], "x-forwarded-proto": "https", origin: "https://admin.example" }), 200, "repeated headers");
      assertEqual(asked, 2, "authorize ran for the admitted requests");
    } finally {
      await server.close();
    }
  },

  async "DNS rebinding through the adapter: a Host of the attacker's name with a matching Origin is refused"(lib, env) {
    let asked = 0;
    const proxy = lib.createSenseLinkProxy({ baseUrl: env.sandboxUrl, appKey: env.senselink.appKey, appSecret: env.senselink.appSecret, authorize: () => ++asked > 0 });
    const server = await serve(lib.toNodeHandler(proxy));
    try {
      const port = new URL(server.url).port;
      const get = (headers) => new Promise((resolve, reject) => {
        const request = http().get(`${server.url}/senselink/api/v2/device`, { headers }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        });
        request.on("error", reject);
      });
      const host = `rebind.evil.example:${port}`;
      assertEqual(await get({ host, origin: `http://${host}`, "sec-fetch-site": "same-origin" }), 403, "rebinding with Origin");
      assertEqual(await get({ host, "sec-fetch-site": "same-origin" }), 403, "a rebinding GET (no Origin)");
      assertEqual(asked, 0, "authorize never ran");
      assertEqual(await get({ host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, "sec-fetch-site": "same-origin" }), 200, "the page at the server's address");
      assertEqual(await get({ host }), 200, "a server's request (no browser headers) is not a browser's");
    } finally {
      await server.close();
    }
  },
};
