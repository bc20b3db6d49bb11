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
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

export const checks = {
  async "the SenseLink proxy on node:http: lists, a streamed photo upload, a refusal"(lib, env) {
    const proxy = lib.createSenseLinkProxy({
      baseUrl: env.sandboxUrl, appKey: env.senselink.appKey, appSecret: env.senselink.appSecret,
      authorize: (request) => request.headers.get("x-test-session") === "ok",
    });
    const server = await serve(lib.toNodeHandler(proxy));
    try {
      const withSession = (url, init = {}) => fetch(url, { ...init, headers: { ...init.headers, "x-test-session": "ok" } });
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
};
