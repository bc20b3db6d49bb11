// End-to-end tier: the built package (pkg/) against the local sandbox, in Node, a headless Chromium
// page and a Worker in workerd (bundled by Wrangler, run by Miniflare). Every module in suites/ runs
// in every runtime (a suite may export `runtimes` to opt out of one, with a reason in a comment).
// Node and workerd run the suites on the entry points (`cyzen-senselink/senselink`, `/cyzen`,
// `/server`, `/import`: each client on its own wasm, see ENTRY_MODULES), Chromium on the root entry
// (one wasm with everything); the package tier checks every entry in every runtime.
//   node tests/e2e/run.mjs [--runtimes node,chromium,workerd] [--suites a,b] [--front-end F]
// --front-end picks the emulator the suites talk to (the same Rust router in each case):
//   binary      the `sandbox` binary over HTTP (default; SANDBOX_BIN)
//   bin         the npm package's `cyzen-senselink-sandbox` command over HTTP (PKG_SANDBOX_DIR, default pkg-sandbox/)
//   in-process  `createSandbox().fetch` in the runtime itself, no server (in-process.js; by default in
//               Node and workerd, `--runtimes chromium` runs the package's browser loader in the page)
// env given to each check: { runtime, sandboxUrl, senselink: { appKey, appSecret },
//   cyzen: { baseUrl, companyId, staticToken, clientId, clientSecret, publicClientId, appToken,
//            appTokenHeader, authorizeUrl, tokenUrl } }
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchChromium, resultOfPage } from "../support/chromium.mjs";
import { run, startServer } from "../support/processes.mjs";
import { reportAndExit } from "../support/report.mjs";
import { bundleWorker, withWorkerd } from "../support/workerd.mjs";
import { runSuites } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1].split(",") : null;
};
const frontEnd = option("--front-end")?.[0] ?? "binary";
if (!["binary", "bin", "in-process"].includes(frontEnd)) throw new Error(`--front-end: binary, bin or in-process, got ${frontEnd}`);
const runtimes = option("--runtimes") ?? (frontEnd === "in-process" ? ["node", "workerd"] : ["node", "chromium", "workerd"]);
const suiteNames = option("--suites") ??
  readdirSync(join(here, "suites")).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3)).sort();

const pkgDir = resolve(process.env.PKG_DIR ?? join(root, "pkg"));
const sandboxBin = process.env.SANDBOX_BIN ?? join(root, "target/release/sandbox");
const pkgSandboxDir = resolve(process.env.PKG_SANDBOX_DIR ?? join(root, "pkg-sandbox"));
const sandboxArgs = ["--port", "0", "--seed", "1"];
const sandbox = frontEnd === "binary" ? await startServer(sandboxBin, sandboxArgs)
  : frontEnd === "bin" ? await startServer("node", [join(pkgSandboxDir, "dist/bin.js"), ...sandboxArgs])
  // The in-process sandbox's default origin; each runtime creates its own sandbox (seed 1).
  : { url: "http://sandbox.invalid", stop() {} };
const env = {
  sandboxUrl: sandbox.url,
  senselink: { appKey: "sandbox-app-key", appSecret: "sandbox-app-secret" },
  cyzen: {
    baseUrl: `${sandbox.url}/webapi/v0`,
    authorizeUrl: `${sandbox.url}/oauth/authorize`,
    tokenUrl: `${sandbox.url}/oauth/token`,
    companyId: process.env.SANDBOX_COMPANY_ID ?? "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b",
    staticToken: "sandbox-static-token",
    clientId: "sandbox-client",
    clientSecret: "sandbox-client-secret",
    publicClientId: "sandbox-public-client",
    appToken: "sandbox-app-token",
    appTokenHeader: "X-App-Token",
  },
};
console.log(`sandbox (${frontEnd}) at ${sandbox.url}; suites: ${suiteNames.join(", ")}`);
const results = {};

/**
 * The entry points' modules for a runtime, imported before the root so that each client's calls run
 * on that client's own wasm (a part's wasm is the first one loaded for it); the root adds only
 * what no entry has: `httpRequest` and the test trap (which traps every loaded module).
 */
const ENTRY_MODULES = (runtime) => ["senselink", "cyzen", "server", "import"].map((entry) => `dist/${entry}.${runtime}.js`);
const entriesLib = (modules) => Object.assign({}, modules.at(-1), ...modules.slice(0, -1));

if (runtimes.includes("node")) {
  const modules = [];
  for (const file of [...ENTRY_MODULES("node"), "dist/node.js"]) modules.push(await import(pathToFileURL(join(pkgDir, file))));
  const lib = entriesLib(modules);
  const suites = {};
  for (const name of suiteNames) suites[name] = await import(pathToFileURL(join(here, "suites", `${name}.js`)));
  let restore = () => {};
  if (frontEnd === "in-process") {
    const { createSandbox } = await import(pathToFileURL(join(pkgSandboxDir, "dist/node.js")));
    const { routeToSandbox } = await import(pathToFileURL(join(here, "in-process.js")));
    restore = routeToSandbox(createSandbox({ seed: 1, url: sandbox.url }));
  }
  results.node = await runSuites(lib, suites, { ...env, runtime: "node", frontEnd });
  restore();
}

if (runtimes.includes("workerd")) {
  const rel = (path) => JSON.stringify(pathToFileURL(path).pathname);
  const script = await bundleWorker(join(root, `target/e2e-worker-${process.pid}`), [
    ...ENTRY_MODULES("workerd").map((file, i) => `import * as entry${i} from ${rel(join(pkgDir, file))};`),
    `import * as root from ${rel(join(pkgDir, "dist/workerd.js"))};`,
    `const lib = Object.assign({}, root, entry0, entry1, entry2, entry3);`,
    `import { runSuites } from ${rel(join(here, "harness.js"))};`,
    ...suiteNames.map((name, i) => `import * as suite${i} from ${rel(join(here, "suites", `${name}.js`))};`),
    `const suites = { ${suiteNames.map((name, i) => `${JSON.stringify(name)}: suite${i}`).join(", ")} };`,
    ...(frontEnd === "in-process" ? [
      `import { createSandbox } from ${rel(join(pkgSandboxDir, "dist/workerd.js"))};`,
      `import { routeToSandbox } from ${rel(join(here, "in-process.js"))};`,
      // Created inside the first request: a Worker's module scope may not do work of this kind.
      "let routed = false;",
    ] : []),
    // The coordinator suite's Durable Object, bound as CYZEN_COORDINATOR (the class the package ships).
    "export { CyzenTokenCoordinator } from " + rel(join(pkgDir, "dist/server.workerd.js")) + ";",
    "export default { async fetch(request, bindings) {",
    "  const env = JSON.parse(new URL(request.url).searchParams.get('env'));",
    ...(frontEnd === "in-process" ? ["  if (!routed) { routeToSandbox(createSandbox({ seed: 1, url: env.sandboxUrl })); routed = true; }"] : []),
    "  return Response.json(await runSuites(lib, suites, { ...env, coordinatorNamespace: bindings.CYZEN_COORDINATOR }));",
    "} };",
  ].join("\n"));
  results.workerd = await withWorkerd(script, async (mf) => {
    const query = encodeURIComponent(JSON.stringify({ ...env, runtime: "workerd", frontEnd }));
    const response = await mf.dispatchFetch(`http://e2e.test/?env=${query}`);
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { passed: [], failed: [{ name: "worker", error: `HTTP ${response.status}: ${text.slice(0, 2000)}` }] };
    }
  }, { durableObjects: { CYZEN_COORDINATOR: "CyzenTokenCoordinator" } });
  // The coordinator wired by hand in raw workerd, two Worker scripts sharing its object (docs/coordinator.md).
  if (suiteNames.includes("coordinator")) {
    const { rawWorkerdChecks } = await import("./raw-workerd.mjs");
    results["workerd (raw, no Wrangler)"] = await rawWorkerdChecks({ root, pkgDir, env });
  }
}

if (runtimes.includes("chromium")) {
  const server = await startServer("node", [join(root, "tests/support/echo-server.mjs"), "--static", root]);
  const browser = await launchChromium();
  try {
    const pkgPath = "/" + pkgDir.slice(root.length + 1);
    const sandboxPath = frontEnd === "in-process" ? `&sandboxPkg=${encodeURIComponent("/" + pkgSandboxDir.slice(root.length + 1))}` : "";
    const url = `${server.url}/tests/e2e/page.html?pkg=${encodeURIComponent(pkgPath)}${sandboxPath}&suites=${suiteNames.join(",")}` +
      `&env=${encodeURIComponent(JSON.stringify({ ...env, runtime: "chromium", frontEnd }))}`;
    const { result, consoleErrors } = await resultOfPage(browser, url, 600_000);
    // Network log lines ("Failed to load resource: … 400") are expected where a check provokes an
    // error status; script errors are not.
    for (const error of consoleErrors.filter((e) => !e.startsWith("Failed to load resource"))) {
      result.failed.push({ name: "console error", error });
    }
    results.chromium = result;
  } finally {
    await browser.close();
    server.stop();
  }
}
sandbox.stop();

reportAndExit(results);
