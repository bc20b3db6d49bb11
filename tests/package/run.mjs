// Tier 3: the built package consumed as users consume it. Packs pkg/ with `npm pack`, lints the
// tarball (publint, are-the-types-wrong), installs it into a scratch project, type-checks every
// example of the README it ships (./readme-examples.mjs), then runs the same checks (./checks.js)
// from Node (with and without --enable-source-maps), a plain-ESM page in headless Chromium, a Vite
// production build and the Vite dev server in Chromium, and a Worker bundled by Wrangler and run in
// workerd (Miniflare). Exits non-zero on any failure, or when a runtime ran no check.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, resultOfPage } from "../support/chromium.mjs";
import { run, startServer } from "../support/processes.mjs";
import { reportAndExit } from "../support/report.mjs";
import { bundleWorker, withWorkerd } from "../support/workerd.mjs";
import { exportedNames } from "./exports.mjs";
import { checkReadmeExamples } from "./readme-examples.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const bin = (name) => join(root, "node_modules/.bin", name);
// PKG_DIR tests another build (e.g. `PKG_DIR=pkg-size`) in its own scratch directory.
const pkgDir = resolve(root, process.env.PKG_DIR ?? "pkg");
const scratch = join(root, process.env.PKG_DIR ? `target/pkg-tests-${process.env.PKG_DIR.replace(/\W+/g, "-")}` : "target/pkg-tests");

rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });

console.log(`packing ${pkgDir} and linting the tarball`);
await run("npm", ["pack", pkgDir, "--pack-destination", scratch, "--silent"]);
const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"));
await run(bin("publint"), ["run", pkgDir, "--strict", "--pack", "npm"]).then((out) => process.stdout.write(out));
await run(bin("attw"), [join(scratch, tarball), "--profile", "esm-only", "--format", "table-flipped"]).then((out) => process.stdout.write(out));

// The README's "Testing your integration" examples import the emulator package and Vitest: the
// emulator's tarball is installed too (PKG_SANDBOX_DIR, default pkg-sandbox/), Vitest is linked
// from this repository (tests/package/sandbox.mjs runs those examples).
const emulatorDir = resolve(root, process.env.PKG_SANDBOX_DIR ?? "pkg-sandbox");
mkdirSync(join(scratch, "emulator"));
await run("npm", ["pack", emulatorDir, "--pack-destination", join(scratch, "emulator"), "--silent"]);
const emulator = readdirSync(join(scratch, "emulator")).find((name) => name.endsWith(".tgz"));

console.log(`installing ${tarball} into a scratch project`);
writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module",
  dependencies: { "cyzen-senselink": `file:./${tarball}` },
  devDependencies: { "cyzen-senselink-sandbox": `file:./emulator/${emulator}` } }, null, 2));
await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: scratch });
symlinkSync(join(root, "node_modules/vitest"), join(scratch, "node_modules/vitest"), "dir");
cpSync(join(here, "checks.js"), join(scratch, "checks.js"));
cpSync(join(here, "consumers"), scratch, { recursive: true });

const results = {};
// The root entry keeps every name it exported before the entry points were split off (the list
// read from 0.1.0's declarations at 9e4aec3, plus names added since on purpose):
// diffed, so a name can neither go nor appear unseen.
console.log("the root's exports against tests/package/root-exports.txt; each entry's exports");
results["exports"] = (() => {
  const before = readFileSync(join(here, "root-exports.txt"), "utf8").split("\n").filter(Boolean);
  const now = exportedNames(scratch, "cyzen-senselink");
  const gone = before.filter((name) => !now.includes(name));
  const added = now.filter((name) => !before.includes(name));
  const failed = gone.length + added.length === 0 ? []
    : [{ name: "the root's exports are unchanged", error: `gone: ${gone.join(", ") || "none"}; added: ${added.join(", ") || "none"}` }];
  const passed = failed.length ? [] : [`the root's ${now.length} exports are unchanged`];
  for (const entry of ["senselink", "cyzen", "server", "import"]) {
    const names = exportedNames(scratch, `cyzen-senselink/${entry}`);
    const foreign = names.filter((name) => !now.includes(name));
    if (foreign.length) failed.push({ name: `cyzen-senselink/${entry}`, error: `exports names the root lacks: ${foreign.join(", ")}` });
    else passed.push(`cyzen-senselink/${entry}: ${names.length} exports, each also the root's`);
  }
  return { passed, failed };
})();
// Tree-shaking: an app importing only SenseLinkClient from the root, bundled for browsers by
// esbuild from the installed package, carries none of the cyzen client's or the server parts'
// JavaScript (the package marks only its loaders as having side effects).
console.log("tree-shaking: only SenseLinkClient from the root, bundled by esbuild");
results["tree-shaking"] = await (async () => {
  const { build } = await import(join(root, "node_modules/esbuild/lib/main.js"));
  writeFileSync(join(scratch, "only-senselink.js"), 'import { SenseLinkClient } from "cyzen-senselink";\nconsole.log(new SenseLinkClient({ baseUrl: "/senselink", proxy: true }));\n');
  const bundle = await build({ entryPoints: [join(scratch, "only-senselink.js")], bundle: true, minify: true, format: "esm", platform: "browser",
    conditions: ["browser"], write: false, logLevel: "error", external: ["*.wasm"], absWorkingDir: scratch });
  const text = bundle.outputFiles[0].text;
  // Names the minifier keeps: cyzen's resource table (`reportDefinitions`), the coordinator's
  // protocol (`/acquire`), the proxies' option names (`unsafelyAllowAnyCaller`).
  const kept = ["reportDefinitions", "/acquire", "unsafelyAllowAnyCaller"].filter((marker) => text.includes(marker));
  const full = await build({ entryPoints: [join(scratch, "only-senselink.js")], bundle: true, minify: true, format: "esm", platform: "browser",
    conditions: ["browser"], write: false, logLevel: "error", external: ["*.wasm"], absWorkingDir: scratch, treeShaking: false });
  const name = `SenseLinkClient alone from the root: ${text.length} B of JS (${full.outputFiles[0].text.length} B without tree-shaking); no cyzen or server code`;
  return kept.length === 0 && full.outputFiles[0].text.includes("reportDefinitions") ? { passed: [name], failed: [] }
    : { passed: [], failed: [{ name: "tree-shaking", error: `the bundle keeps ${kept.join(", ")} (or the markers are not in the package at all)` }] };
})();
console.log("README examples: tsc --strict against the installed package's declarations");
results["README examples"] = await checkReadmeExamples({
  readme: join(scratch, "node_modules/cyzen-senselink/README.md"),
  dir: join(scratch, "readme-examples"),
  root,
});

const server = await startServer("node", [join(root, "tests/support/echo-server.mjs"), "--static", scratch]);

console.log("Node ESM import, without and with --enable-source-maps");
results.node = JSON.parse(await run("node", ["node-consumer.mjs", server.url], { cwd: scratch }));
results["node --enable-source-maps"] = JSON.parse(
  await run("node", ["--enable-source-maps", "node-consumer.mjs", server.url], { cwd: scratch }),
);

console.log("Vite production build");
await run(bin("vite"), ["build"], { cwd: join(scratch, "vite-app") });

console.log("Cloudflare Worker: wrangler bundle, run in workerd");
const script = await bundleWorker(join(scratch, "worker"));
results.workerd = await withWorkerd(script, async (mf) => {
  const response = await mf.dispatchFetch(`http://worker.test/?server=${encodeURIComponent(server.url)}`);
  return response.json();
});

console.log("headless Chromium: plain ES module page, the Vite build, the Vite dev server");
const viteDev = await startViteDev(join(scratch, "vite-app"));
const browser = await launchChromium();
try {
  const pages = [
    ["esm page", server.url + "/esm.html"],
    ["vite build", server.url + "/vite-app/dist/index.html"],
    // The dev server pre-bundles the package (no optimizeDeps setting); the checks call the echo server.
    ["vite dev", `${viteDev.url}?server=${encodeURIComponent(server.url)}`],
  ];
  for (const [name, url] of pages) {
    const { result, consoleErrors } = await resultOfPage(browser, url);
    for (const error of consoleErrors) result.failed.push({ name: "console error", error });
    results[name] = result;
  }
} finally {
  await browser.close();
  viteDev.stop();
  server.stop();
}

reportAndExit(results);

/** Starts `vite` (dev server) in `dir` on a free port; resolves with its URL once it listens. */
function startViteDev(dir) {
  const child = spawn(bin("vite"), ["--host", "127.0.0.1", "--port", "0", "--logLevel", "info"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = () => child.kill("SIGTERM");
  process.on("exit", stop);
  let output = "";
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite dev did not start in 60 s:\n${output}`)), 60_000);
    const read = (chunk) => {
      output += chunk;
      const url = /Local:\s+(http:\/\/\S+)/.exec(output.replace(/\x1b\[[\d;]*m/g, ""))?.[1];
      if (url) {
        clearTimeout(timer);
        resolvePromise({ url, stop });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => reject(new Error(`vite dev exited (${code}) before listening:\n${output}`)));
  });
}
