// Tier 3: the built package consumed as users consume it. Packs pkg/ with `npm pack`, lints the
// tarball (publint, are-the-types-wrong), installs it into a scratch project, then runs the same
// checks (./checks.js) from Node, a plain-ESM page in headless Chromium, a Vite production build in
// Chromium, and a Worker bundled by Wrangler and run in workerd (Miniflare). Exits non-zero on any
// failure, or when a runtime ran no check.
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, resultOfPage } from "../support/chromium.mjs";
import { run, startServer } from "../support/processes.mjs";
import { reportAndExit } from "../support/report.mjs";
import { bundleWorker, withWorkerd } from "../support/workerd.mjs";

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

console.log(`installing ${tarball} into a scratch project`);
writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module",
  dependencies: { "cyzen-senselink": `file:./${tarball}` } }, null, 2));
await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: scratch });
cpSync(join(here, "checks.js"), join(scratch, "checks.js"));
cpSync(join(here, "consumers"), scratch, { recursive: true });

const server = await startServer("node", [join(root, "tests/support/echo-server.mjs"), "--static", scratch]);
const results = {};

console.log("Node ESM import");
results.node = JSON.parse(await run("node", ["node-consumer.mjs", server.url], { cwd: scratch }));

console.log("Vite production build");
await run(bin("vite"), ["build"], { cwd: join(scratch, "vite-app") });

console.log("Cloudflare Worker: wrangler bundle, run in workerd");
const script = await bundleWorker(join(scratch, "worker"));
results.workerd = await withWorkerd(script, async (mf) => {
  const response = await mf.dispatchFetch(`http://worker.test/?server=${encodeURIComponent(server.url)}`);
  return response.json();
});

console.log("headless Chromium: plain ES module page and the Vite build");
const browser = await launchChromium();
try {
  for (const [name, path] of [["esm page", "/esm.html"], ["vite build", "/vite-app/dist/index.html"]]) {
    const { result, consoleErrors } = await resultOfPage(browser, server.url + path);
    for (const error of consoleErrors) result.failed.push({ name: "console error", error });
    results[name] = result;
  }
} finally {
  await browser.close();
  server.stop();
}

reportAndExit(results);
