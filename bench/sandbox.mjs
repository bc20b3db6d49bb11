// `make bench`, the emulator package (cyzen-senselink-sandbox): how long the in-process emulator
// takes to answer compared with a loopback HTTP round trip to the `sandbox` binary, what the
// package costs to install, and how long `createSandbox()` takes from a cold start. Prints a
// Markdown table and writes it to target/bench/sandbox.md.
//   node bench/sandbox.mjs   (BENCH_PKG, BENCH_SANDBOX_PKG, SANDBOX_BIN pick other builds)
// Every answer time is the median (and 90th percentile) of ROUNDS calls after WARMUP calls, on the
// same machine, one call at a time; the emulator's rate limit is off on both sides.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { startServer } from "../tests/support/processes.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = resolve(root, process.env.BENCH_PKG ?? "pkg");
const sandboxPkg = resolve(root, process.env.BENCH_SANDBOX_PKG ?? "pkg-sandbox");
const sandboxBin = process.env.SANDBOX_BIN ?? join(root, "target/release/sandbox");
const WARMUP = 100;
const ROUNDS = 500;
const COLD_RUNS = 15;

const lib = await import(pathToFileURL(join(pkgDir, "dist/node.js")));
const { createSandbox } = await import(pathToFileURL(join(sandboxPkg, "dist/node.js")));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
const ms = (x) => (x < 1 ? x.toFixed(3) : x.toFixed(2));

async function measure(call) {
  for (let i = 0; i < WARMUP; i++) await call();
  const samples = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  return { median: median(samples), p90: p90(samples) };
}

const server = await startServer(sandboxBin, ["--port", "0", "--cyzen-rate-limit-per-sec", "0"]);
const sandbox = createSandbox({ cyzen: { rate_limit_per_sec: 0 } });
const rows = [];

try {
  const appKey = "sandbox-app-key";
  const appSecret = "sandbox-app-secret";
  // One signature for every call (valid for 30 minutes): what is measured is the answer.
  const timestamp = String(Date.now());
  const query = `app_key=${appKey}&timestamp=${timestamp}&sign=${lib.senselinkSign(timestamp, appSecret)}`;
  const personsPath = `/api/v1/user/list?${query}`;
  const companyId = sandbox.cyzen.companyId;
  const spotsPath = `/webapi/v0/spots?company_id=${companyId}`;
  const bearer = { authorization: `bearer ${sandbox.cyzen.staticToken}` };

  const check = async (response, what) => {
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
    return text;
  };
  const personsBytes = (await check(await sandbox.fetch(sandbox.url + personsPath), "persons")).length;
  const spotsText = await check(await sandbox.fetch(sandbox.url + spotsPath, { headers: bearer }), "spots");
  const spotsCount = JSON.parse(spotsText).spots.length;

  const compare = async (what, path, init) => {
    const inProcess = await measure(async () => check(await sandbox.fetch(sandbox.url + path, init), what));
    const loopback = await measure(async () => check(await fetch(server.url + path, init), what));
    rows.push([what, inProcess, loopback]);
  };
  await compare("`/__admin/health` (13 bytes: the front-end alone)", "/__admin/health");
  await compare(`SenseLink signed \`persons.list\` (20 persons, ${(personsBytes / 1024).toFixed(1)} KB): \`fetch\` + body`, personsPath);
  await compare(`cyzen \`/spots\` page (${spotsCount} records, ${(spotsText.length / 1024).toFixed(0)} KB): \`fetch\` + body`, spotsPath, { headers: bearer });

  const client = (baseUrl, fetchFn) => new lib.SenseLinkClient({ baseUrl, appKey, appSecret, ...(fetchFn ? { fetch: fetchFn } : {}) });
  const viaSandbox = client(sandbox.url, sandbox.fetch);
  const viaServer = client(server.url);
  rows.push([
    "`SenseLinkClient.persons.list()` (signs, decodes 20 persons)",
    await measure(() => viaSandbox.persons.list()),
    await measure(() => viaServer.persons.list()),
  ]);
} finally {
  sandbox.close();
  server.stop();
}

// Cold start: a fresh Node process imports the package (reads and compiles the wasm) and creates a
// sandbox (seeds both tenants); each step timed inside that process.
const coldScript = `
  // Node loads its fetch classes (undici) on first use, ~20 ms: not the package's cost.
  new Request("http://x/"); new Response("");
  const t0 = performance.now();
  const { createSandbox } = await import(${JSON.stringify(pathToFileURL(join(sandboxPkg, "dist/node.js")).href)});
  const t1 = performance.now();
  const sandbox = createSandbox();
  const t2 = performance.now();
  const response = await sandbox.fetch(sandbox.url + "/__admin/health");
  await response.text();
  const t3 = performance.now();
  const again = createSandbox();
  const t4 = performance.now();
  console.log(JSON.stringify({ load: t1 - t0, create: t2 - t1, first: t3 - t2, second: t4 - t3 }));
  sandbox.close(); again.close();
`;
const cold = [];
for (let i = 0; i < COLD_RUNS; i++) {
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", coldScript], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(out.stderr);
  cold.push(JSON.parse(out.stdout));
}
const coldMedian = (key) => median(cold.map((c) => c[key]));

// Install size: what `npm pack` would publish and what it unpacks to.
const pack = JSON.parse(spawnSync("npm", ["pack", sandboxPkg, "--dry-run", "--json", "--silent"], { encoding: "utf8" }).stdout)[0];
const wasm = readFileSync(join(sandboxPkg, "cyzen_senselink_sandbox_bg.wasm"));

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
const lines = [
  "| answer | in-process `createSandbox().fetch` (median / p90) | loopback HTTP to the `sandbox` binary (median / p90) | ratio (medians) |",
  "|---|---|---|---|",
  ...rows.map(([what, a, b]) => `| ${what} | ${ms(a.median)} / ${ms(a.p90)} ms | ${ms(b.median)} / ${ms(b.p90)} ms | ${(b.median / a.median).toFixed(1)}× faster in-process |`),
  "",
  "| cold start (a fresh Node process, its own fetch classes loaded; median of " + COLD_RUNS + ") | ms |",
  "|---|---|",
  `| \`import\` (read + compile the wasm) | ${coldMedian("load").toFixed(1)} |`,
  `| first \`createSandbox()\` (seeds 302 SenseLink persons, 400 records, the cyzen tenant) | ${coldMedian("create").toFixed(1)} |`,
  `| first answer (\`/__admin/health\`) | ${coldMedian("first").toFixed(2)} |`,
  `| a second \`createSandbox()\` in the same process | ${coldMedian("second").toFixed(1)} |`,
  "",
  "| install size | |",
  "|---|---|",
  `| tarball (\`npm pack\`) | ${kb(pack.size)} |`,
  `| unpacked (${pack.entryCount} files) | ${kb(pack.unpackedSize)} |`,
  `| of which the wasm | ${kb(wasm.length)} (${kb(gzipSync(wasm, { level: 9 }).length)} gzip -9) |`,
];
const table = lines.join("\n") + "\n";
process.stdout.write(table);
mkdirSync(join(root, "target/bench"), { recursive: true });
writeFileSync(join(root, "target/bench/sandbox.md"), table);
