// Tier 3, the emulator package (cyzen-senselink-sandbox) consumed as users consume it:
// 1. packs pkg-sandbox/ and pkg/ (`npm pack`), lints the emulator's tarball (publint, attw);
// 2. installs the two tarballs into a fresh project outside the repository with
//    `npm install --offline` (nothing else: no registry, no network) and links Vitest from this
//    repository's node_modules, as a user's `npm i -D vitest` would provide it;
// 3. type-checks every ts/js example of the emulator's README (tsc --strict, bundler and nodenext),
//    and runs ./sandbox-checks.mjs there (drop, truncate, aborts, redirects, options, close);
// 4. runs the Vitest files of both READMEs (blocks whose first line is `// <name>.test.ts`) and
//    requires every test to pass;
// 5. starts the package's `bin` and the `sandbox` binary with the same flags and environment and
//    compares what they print (first line, credentials), `--help`, a bad option (exit 2) and the
//    stop on SIGTERM;
// 6. bundles the Worker module with Wrangler and runs it in workerd, with and without its Durable
//    Object.
//   node tests/package/sandbox.mjs   (PKG_DIR, PKG_SANDBOX_DIR, SANDBOX_BIN pick other builds)
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../support/processes.mjs";
import { bundleWorker, withWorkerd } from "../support/workerd.mjs";
import { reportAndExit } from "../support/report.mjs";
import { checkReadmeExamples, codeBlocks } from "./readme-examples.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const bin = (name) => join(root, "node_modules/.bin", name);
const pkgDir = resolve(root, process.env.PKG_DIR ?? "pkg");
const sandboxPkgDir = resolve(root, process.env.PKG_SANDBOX_DIR ?? "pkg-sandbox");
const sandboxBin = process.env.SANDBOX_BIN ?? join(root, "target/release/sandbox");
// Outside the repository: nothing of its node_modules is found by walking up.
const project = mkdtempSync(join(tmpdir(), "cyzen-senselink-sandbox-consumer-"));
const results = {};

try {
  console.log(`packing ${sandboxPkgDir} and ${pkgDir} into ${project}`);
  mkdirSync(join(project, "tarballs"));
  for (const dir of [sandboxPkgDir, pkgDir]) {
    await run("npm", ["pack", dir, "--pack-destination", join(project, "tarballs"), "--silent"]);
  }
  const tarballs = readdirSync(join(project, "tarballs"));
  const emulator = tarballs.find((name) => name.startsWith("cyzen-senselink-sandbox-"));
  const client = tarballs.find((name) => name !== emulator);
  await run(bin("publint"), ["run", sandboxPkgDir, "--strict", "--pack", "npm"]).then((out) => process.stdout.write(out));
  await run(bin("attw"), [join(project, "tarballs", emulator), "--profile", "esm-only", "--format", "table-flipped"])
    .then((out) => process.stdout.write(out));

  console.log("npm install --offline of the two tarballs");
  writeFileSync(join(project, "package.json"), JSON.stringify({
    name: "sandbox-consumer", private: true, type: "module",
    devDependencies: { "cyzen-senselink": `file:./tarballs/${client}`, "cyzen-senselink-sandbox": `file:./tarballs/${emulator}` },
  }, null, 2));
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project });
  symlinkSync(join(root, "node_modules/vitest"), join(project, "node_modules/vitest"), "dir");

  console.log("README examples of cyzen-senselink-sandbox: tsc --strict");
  results["README examples"] = await checkReadmeExamples({
    readme: join(project, "node_modules/cyzen-senselink-sandbox/README.md"),
    dir: join(project, "readme-examples"),
    root,
  });

  console.log("createSandbox() promises (sandbox-checks.mjs), in Node in the fresh project");
  copyFileSync(join(here, "sandbox-checks.mjs"), join(project, "sandbox-checks.mjs"));
  results["node checks"] = JSON.parse(await run("node", ["sandbox-checks.mjs"], { cwd: project }));

  console.log("the READMEs' Vitest files, run by Vitest in the fresh project");
  mkdirSync(join(project, "test"));
  const files = [];
  for (const name of ["cyzen-senselink-sandbox", "cyzen-senselink"]) {
    for (const block of codeBlocks(readFileSync(join(project, "node_modules", name, "README.md"), "utf8"))) {
      const file = /^\/\/ (\S+\.test\.[jt]s)\n/.exec(block.code)?.[1];
      if (file === undefined) continue;
      writeFileSync(join(project, "test", file), block.code);
      files.push(`${name}: ${file}`);
    }
  }
  if (files.length < 4) throw new Error(`expected the READMEs' 4 Vitest files, found ${files.join(", ")}`);
  const report = join(project, "vitest.json");
  await run("node", [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=json", `--outputFile=${report}`], { cwd: project })
    .catch((error) => console.log(String(error.message).slice(0, 4000)));
  const vitest = JSON.parse(readFileSync(report, "utf8"));
  results.vitest = { passed: [], failed: [] };
  for (const file of vitest.testResults) {
    for (const test of file.assertionResults) {
      const name = `${file.name.slice(project.length + 1)}: ${test.fullName}`;
      if (test.status === "passed") results.vitest.passed.push(name);
      else results.vitest.failed.push({ name, error: (test.failureMessages ?? []).join("\n").slice(0, 2000) || test.status });
    }
  }
  if (vitest.numTotalTestSuites === 0 || vitest.testResults.length !== files.length) {
    results.vitest.failed.push({ name: "vitest", error: `ran ${vitest.testResults.length} files of ${files.length}` });
  }

  console.log("the bin against the sandbox binary: flags, environment, output, stop");
  results.bin = await compareServers(join(project, "node_modules/.bin/cyzen-senselink-sandbox"));

  console.log("the Worker module: bundled by Wrangler, run in workerd, with and without the Durable Object");
  const script = await bundleWorker(join(project, "worker"), 'export { default, SandboxObject } from "cyzen-senselink-sandbox/worker";\n');
  results.worker = { passed: [], failed: [] };
  for (const [name, extra] of [["isolate", {}], ["durable object", { durableObjects: { SANDBOX: "SandboxObject" } }]]) {
    await withWorkerd(script, async (mf) => {
      const call = async (path, init) => {
        const response = await mf.dispatchFetch(`https://staging-sandbox.example${path}`, init);
        return { status: response.status, body: await response.text() };
      };
      const checks = {
        "options from the Worker's variables": async () => JSON.parse((await call("/__admin/senselink/config")).body).app_key === "staging-key",
        "a signed call is checked (no signature: 40003)": async () => JSON.parse((await call("/api/v1/user/list")).body).code === 40003,
        "state lasts between requests (a queued fault hits the next call)": async () => {
          await call("/__admin/faults", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ fault: "status=503", path_prefix: "/api/" }) });
          return (await call("/api/v1/user/list")).status === 503;
        },
      };
      for (const [check, run] of Object.entries(checks)) {
        try {
          if (await run()) results.worker.passed.push(`${name}: ${check}`);
          else results.worker.failed.push({ name: `${name}: ${check}`, error: "check returned false" });
        } catch (error) {
          results.worker.failed.push({ name: `${name}: ${check}`, error: String(error?.stack ?? error) });
        }
      }
    // modulesRoot: Miniflare names modules relative to the working directory by default, and the
    // project lives outside it.
    }, { bindings: { SANDBOX_APP_KEY: "staging-key" }, modulesRoot: dirname(script), ...extra });
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}
reportAndExit(results);

/** Runs a command to its end: { code, stdout, stderr }. */
function outcome(command, args, env = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
}

/** Starts a server, reads what it prints until `seed=`, checks it answers, stops it with SIGTERM. */
function serve(command, args, env) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    let asked = false;
    const timer = setTimeout(() => fail(new Error(`${command} did not start in 60 s: ${stdout}`)), 60_000);
    child.stdout.on("data", async (chunk) => {
      stdout += chunk;
      if (asked || !/^seed=/m.test(stdout)) return;
      asked = true;
      clearTimeout(timer);
      const url = /^sandbox listening on (\S+)$/m.exec(stdout)?.[1];
      const health = await fetch(`${url}/__admin/health`).then((r) => r.json(), (e) => String(e));
      const summary = await fetch(`${url}/__admin/senselink/summary`).then((r) => r.json(), (e) => String(e));
      child.kill("SIGTERM");
      child.on("exit", (code) => done({ code, stdout, url, health, summary }));
    });
  });
}

async function compareServers(npmBin) {
  const passed = [];
  const failed = [];
  const check = (name, ok, detail) => (ok ? passed.push(name) : failed.push({ name, error: detail }));
  const args = ["--port", "0", "--seed", "5", "--edition=enterprise", "--cyzen-auto-approve", "true"];
  const env = { SANDBOX_APP_SECRET: "from-the-environment", SANDBOX_SEED: "9" };
  const [binary, npm] = [await serve(sandboxBin, args, env), await serve(npmBin, args, env)];
  const body = (out) => out.stdout.replaceAll(out.url, "URL");
  check("first line", /^sandbox listening on http:\/\/127\.0\.0\.1:\d+\n/.test(npm.stdout), npm.stdout.split("\n")[0]);
  check("the same lines as the binary (URL aside)", body(npm) === body(binary), `binary:\n${body(binary)}\nnpm:\n${body(npm)}`);
  check("serves", JSON.stringify(npm.health) === '{"ok":true}', JSON.stringify(npm.health));
  check("the same seeded data as the binary", JSON.stringify(npm.summary) === JSON.stringify(binary.summary), "summaries differ");
  check("SIGTERM: 'sandbox stopped', exit 0", npm.code === 0 && npm.stdout.endsWith("sandbox stopped\n"), `${npm.code} ${npm.stdout.slice(-40)}`);
  const [helpBinary, helpNpm] = [await outcome(sandboxBin, ["--help"]), await outcome(npmBin, ["--help"])];
  check("--help", helpNpm.code === 0 && helpNpm.stdout === helpBinary.stdout, helpNpm.stdout);
  const [badBinary, badNpm] = [await outcome(sandboxBin, ["--seed", "x"]), await outcome(npmBin, ["--seed", "x"])];
  check("a bad option: exit 2, the same message", badNpm.code === 2 && badNpm.stderr === badBinary.stderr, `${badNpm.code} ${badNpm.stderr}`);
  return { passed, failed };
}
