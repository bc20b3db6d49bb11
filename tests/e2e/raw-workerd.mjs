// The coordinator wired by hand in raw workerd (no Wrangler, no Miniflare), as docs/coordinator.md
// shows it: each Worker bundled by esbuild (`workerd` condition) with the package's `.wasm` files copied
// next to it and listed as a `wasm` module (a compiled WebAssembly.Module), and a second Worker
// script using the first one's CyzenTokenCoordinator (a namespace binding naming the other
// service). Both scripts' clients send with one token through the one object, against the
// sandbox's strict window: every call completes and the sandbox sees no over-limit answer.
// Run by run.mjs with the workerd runtime and the coordinator suite.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, run } from "../support/processes.mjs";
import { COMPATIBILITY_DATE } from "../support/workerd.mjs";

/** What each script does: three clients (isolates), four calls each, through the shared object. */
const CALLS = `
export async function calls(env, lib, config) {
  const coordinator = lib.durableObjectCoordinator(env.CYZEN_COORDINATOR, { name: "static:" + config.companyId });
  const clients = [0, 1, 2].map(() => new lib.CyzenClient({ baseUrl: config.baseUrl, companyId: config.companyId,
    auth: { staticToken: config.staticToken }, coordinator, maxRetries: 0, timeoutMs: 30_000 }));
  const done = await Promise.all(clients.map(async (client) => {
    for (let i = 0; i < 4; i++) await client.userTags.list().toArray({ limit: 1 });
    return 4;
  }));
  return done.reduce((a, b) => a + b, 0);
}
`;

const MAIN = `
import * as cyzen from "cyzen-senselink/cyzen";
import * as server from "cyzen-senselink/server";
import { calls } from "./calls.js";
export { CyzenTokenCoordinator } from "cyzen-senselink/server";
const lib = { ...cyzen, ...server };
export default {
  async fetch(request, env) {
    const config = JSON.parse(new URL(request.url).searchParams.get("config"));
    if (config === null) return new Response(null, { status: 204 });
    const [mine, theirs] = await Promise.all([calls(env, lib, config), env.OTHER.fetch(request.url).then((r) => r.json())]);
    return Response.json({ mine, theirs });
  },
};
`;

const OTHER = `
import * as cyzen from "cyzen-senselink/cyzen";
import * as server from "cyzen-senselink/server";
import { calls } from "./calls.js";
const lib = { ...cyzen, ...server };
export default {
  async fetch(request, env) {
    return Response.json(await calls(env, lib, JSON.parse(new URL(request.url).searchParams.get("config"))));
  },
};
`;

/** The docs' configuration, plus what the test needs: a socket, and an outbound that reaches 127.0.0.1. */
const config = (port) => `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "other", worker = .otherWorker),
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);

const mainWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "main/worker.js"),
    (name = "cyzen_bg.wasm", wasm = embed "main/cyzen_bg.wasm"),
    (name = "server_bg.wasm", wasm = embed "main/server_bg.wasm"),
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  durableObjectNamespaces = [(className = "CyzenTokenCoordinator", uniqueKey = "cyzen-coordinator")],
  durableObjectStorage = (inMemory = void),
  bindings = [
    (name = "CYZEN_COORDINATOR", durableObjectNamespace = "CyzenTokenCoordinator"),
    (name = "OTHER", service = "other"),
  ],
  globalOutbound = "net",
);

const otherWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "other/worker.js"),
    (name = "cyzen_bg.wasm", wasm = embed "other/cyzen_bg.wasm"),
    (name = "server_bg.wasm", wasm = embed "other/server_bg.wasm"),
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [
    (name = "CYZEN_COORDINATOR", durableObjectNamespace = (className = "CyzenTokenCoordinator", serviceName = "main")),
  ],
  globalOutbound = "net",
);
`;


const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the check; resolves with `{ passed, failed }` as the harness reports them. */
export async function rawWorkerdChecks({ root, pkgDir, env }) {
  const name = "raw workerd: two Worker scripts share one CyzenTokenCoordinator (esbuild, the .wasm as a compiled module): 24 calls, no over-limit answer";
  const dir = join(root, `target/raw-workerd-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(pkgDir, join(dir, "node_modules/cyzen-senselink"), "dir");
  writeFileSync(join(dir, "calls.js"), CALLS);
  writeFileSync(join(dir, "main.js"), MAIN);
  writeFileSync(join(dir, "other.js"), OTHER);
  for (const script of ["main", "other"]) {
    await run(join(root, "node_modules/.bin/esbuild"), [`${script}.js`, "--bundle", "--format=esm", "--conditions=workerd",
      "--loader:.wasm=copy", "--asset-names=[name]", `--outdir=out/${script}`, "--entry-names=worker", "--log-level=warning"], { cwd: dir });
  }
  const port = await freePort();
  writeFileSync(join(dir, "out/config.capnp"), config(port));
  const child = spawn(join(root, "node_modules/.bin/workerd"), ["serve", "config.capnp"], { cwd: join(dir, "out"), stdio: ["ignore", "inherit", "inherit"] });
  try {
    const url = `http://127.0.0.1:${port}/?config=${encodeURIComponent(JSON.stringify(env.cyzen))}`;
    let ready = false;
    for (let i = 0; i < 300 && !ready; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/`, { method: "HEAD" }).then(() => true, () => false);
      if (!ready) await sleep(100);
    }
    if (!ready) throw new Error("workerd did not listen within 30 s");
    await sleep(1200);
    await fetch(`${env.sandboxUrl}/__admin/cyzen/stats`, { method: "DELETE" });
    const response = await fetch(url);
    const text = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 2000)}`);
    const done = JSON.parse(text);
    const stats = await (await fetch(`${env.sandboxUrl}/__admin/cyzen/stats`)).json();
    const got = JSON.stringify([done.mine, done.theirs, stats.accepted, stats.rejected, stats.max_in_1s <= 5]);
    const expected = JSON.stringify([12, 12, 24, 0, true]);
    if (got !== expected) throw new Error(`[calls by each script, accepted, over-limit, max in 1 s ≤ 5]: expected ${expected}, got ${got} (max ${stats.max_in_1s})`);
    return { passed: [name], failed: [] };
  } catch (error) {
    return { passed: [], failed: [{ name, error: String(error?.stack ?? error) }] };
  } finally {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}
