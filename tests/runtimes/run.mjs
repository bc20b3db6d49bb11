// The packed package in Node, Deno and Bun (exact versions from the npm registry, devDependencies
// of the repository): ./network-causes.mjs runs in each against real network failures served from
// here — a port nothing listens on, a server that resets the connection as it is accepted, and one
// that resets it in the middle of an answer — and what each runtime prints on stderr (its
// `console.error` of every error) is checked for credentials too. ./in-process.mjs runs the client
// entries against the emulator package in-process (`createSandbox().fetch`) in each runtime. Exits
// non-zero on any failure, or when a runtime ran no check.
//   node tests/runtimes/run.mjs [--runtimes node,deno,bun]
//   (PKG_DIR, PKG_SANDBOX_DIR: other builds than pkg/ and pkg-sandbox/)
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../support/processes.mjs";
import { reportAndExit } from "../support/report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const pkgDir = resolve(root, process.env.PKG_DIR ?? "pkg");
const pkgSandboxDir = resolve(root, process.env.PKG_SANDBOX_DIR ?? "pkg-sandbox");
const scratch = join(root, "target/runtime-tests");
const args = process.argv.slice(2);
const only = args.includes("--runtimes") ? args[args.indexOf("--runtimes") + 1].split(",") : ["node", "deno", "bun"];
const bin = (name) => join(root, "node_modules/.bin", name);
const RUNTIMES = {
  node: [process.execPath, []],
  // Deno reads the scratch project's package.json and node_modules (no registry access at run time).
  deno: [bin("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "--allow-sys"]],
  bun: [bin("bun"), ["run"]],
};

rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
console.log(`packing ${pkgDir} and installing it into ${scratch}`);
await run("npm", ["pack", pkgDir, "--pack-destination", scratch, "--silent"]);
await run("npm", ["pack", pkgSandboxDir, "--pack-destination", scratch, "--silent"]);
const tarballOf = (name) => readdirSync(scratch).find((file) => file.startsWith(`${name}-`) && /^\d/.test(file.slice(name.length + 1)));
writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "runtime-tests", private: true, type: "module",
  dependencies: { "cyzen-senselink": `file:./${tarballOf("cyzen-senselink")}`, "cyzen-senselink-sandbox": `file:./${tarballOf("cyzen-senselink-sandbox")}` } }, null, 2));
await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: scratch });
for (const script of ["network-causes.mjs", "in-process.mjs"]) cpSync(join(here, script), join(scratch, script));

/** A TCP server on 127.0.0.1 doing `onConnection` with each socket; resolves with it once listening. */
function tcpServer(onConnection) {
  const server = createServer(onConnection);
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}
const sockets = new Set();
const track = (socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
  socket.on("error", () => undefined);
};
// A port nothing listens on: one the kernel just handed out, closed again before any request.
const closed = await tcpServer(() => undefined);
const refusedPort = closed.address().port;
await new Promise((done) => closed.close(done));
const resetOnConnect = await tcpServer((socket) => {
  track(socket);
  socket.resetAndDestroy();
});
// Reads the request head, sends a status line, headers and part of a promised body, then resets.
const resetMidAnswer = await tcpServer((socket) => {
  track(socket);
  let head = "";
  socket.on("data", (chunk) => {
    head += chunk;
    if (!head.includes("\r\n\r\n")) return;
    socket.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"code\":200,\"data\":", () => {
      socket.resetAndDestroy();
    });
  });
});
const ports = [refusedPort, resetOnConnect.address().port, resetMidAnswer.address().port].map(String);

/** Runs the check script in one runtime: its JSON result, plus a failure for each credential on stderr. */
function inRuntime(name) {
  const [command, flags] = RUNTIMES[name];
  return new Promise((done) => {
    const child = spawn(command, [...flags, "network-causes.mjs", ...ports], { cwd: scratch, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) => {
      let result;
      try {
        result = JSON.parse(stdout.trim().split("\n").at(-1));
      } catch {
        result = { passed: [], failed: [{ name: `${name} run`, error: `exit ${code}, no result:\n${stdout}\n${stderr.slice(0, 4000)}` }] };
      }
      // What console.error printed: no credential and no signed query, in any runtime's format.
      const leaks = ["rt-app-key-Q7v3", "rt-app-secret-Zx81", "rt-static-token-Hm42", "rt-url-token-Kd09"].filter((s) => stderr.includes(s));
      if (/app_key=[^[]|[?&]sign=[^[]|access_token=[^[]/.test(stderr)) leaks.push("a signed query");
      if (leaks.length > 0) result.failed.push({ name: "console.error(error) prints no credential", error: `stderr shows ${leaks.join(", ")}:\n${stderr.slice(0, 6000)}` });
      else if (stderr.includes("TransportError")) result.passed.push("console.error(error) prints no credential");
      else result.failed.push({ name: "console.error(error) prints no credential", error: `no error printed on stderr:\n${stderr.slice(0, 2000)}` });
      done(result);
    });
  });
}

/** Runs ./in-process.mjs in one runtime: its JSON result. */
function inProcess(name) {
  const [command, flags] = RUNTIMES[name];
  return new Promise((done) => {
    const child = spawn(command, [...flags, "in-process.mjs"], { cwd: scratch, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => {
      try {
        done(JSON.parse(output.trim().split("\n").at(-1)));
      } catch {
        done({ passed: [], failed: [{ name: `${name}: in-process.mjs`, error: `exit ${code}, no result:\n${output.slice(0, 4000)}` }] });
      }
    });
  });
}

const results = {};
try {
  for (const name of only) {
    console.log(`${name}: network failures and what their errors carry`);
    results[name] = await inRuntime(name);
    console.log(`${name}: the client entries against the emulator in-process`);
    results[`${name}, in-process emulator`] = await inProcess(name);
  }
} finally {
  for (const socket of sockets) socket.destroy();
  resetOnConnect.close();
  resetMidAnswer.close();
}
reportAndExit(results);
