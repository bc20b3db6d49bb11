// `make bench`: shipped size, cold start (Node, workerd), per-call overhead and paced throughput,
// each next to a hand-written JS baseline measured in the same run. Prints a Markdown table and
// writes it to bench/results.md. No number here is a test assertion.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run, startServer } from "../tests/support/processes.mjs";
import { bundleWorker, withWorkerd } from "../tests/support/workerd.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const pkg = join(root, "pkg");
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const rows = [];
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const gz = (buffer) => gzipSync(buffer, { level: 9 }).length;

// --- size -------------------------------------------------------------------------------------
const wasm = readFileSync(join(pkg, "cyzen_senselink_bg.wasm"));
const jsFiles = [join(pkg, "cyzen_senselink.js"),
  ...readdirSync(join(pkg, "dist")).filter((f) => f.endsWith(".js")).map((f) => join(pkg, "dist", f))];
const js = Buffer.concat(jsFiles.map((f) => readFileSync(f)));
const baselineJs = readFileSync(join(here, "baseline/senselink-baseline.js"));
rows.push(["shipped size: wasm", `${kb(wasm.length)} raw, **${kb(gz(wasm))} gzip**`, "—"]);
rows.push(["shipped size: JS (glue + wrapper + loaders)", `${kb(js.length)} raw, **${kb(gz(js))} gzip**`,
  `${kb(baselineJs.length)} raw, ${kb(gz(baselineJs))} gzip (signer + fetch helper only)`]);
rows.push(["shipped size: total gzip (budget 45 KB)", `**${kb(gz(wasm) + gz(js))}**`, kb(gz(baselineJs))]);

// --- cold start: Node ---------------------------------------------------------------------------
async function nodeColdStart(entry, ...flags) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const out = JSON.parse(await run("node", [join(here, "cold-node.mjs"), entry, ...flags]));
    samples.push(out.wasmMs ?? out.importMs);
  }
  return median(samples);
}
const nodeWasm = await nodeColdStart(join(pkg, "cyzen_senselink.js"), "--wasm-only");
const nodePkg = await nodeColdStart(join(pkg, "dist/node.js"));
const nodeBase = await nodeColdStart(join(here, "baseline/senselink-baseline.js"));
rows.push([`cold start, Node ${process.version}: wasm compile + instantiate (median of ${RUNS} processes; budget 3 ms)`, `**${nodeWasm.toFixed(2)} ms**`, "—"]);
rows.push([`cold start, Node: whole \`import()\` of the package (median of ${RUNS} processes)`, `${nodePkg.toFixed(2)} ms`, `${nodeBase.toFixed(2)} ms`]);

// --- cold start: workerd ------------------------------------------------------------------------
// Inside workerd the clock does not advance during synchronous work, so the cost is measured from
// outside: time from starting a fresh workerd (Miniflare) to the first response, for a Worker that
// imports the package versus one that imports the baseline; the difference is the package's cost.
async function workerdColdStart(script) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const text = await withWorkerd(script, async (mf) => (await mf.dispatchFetch("http://bench.test/")).text());
    samples.push(performance.now() - start);
    if (text !== "e5ef72ef839bdf5397b4906b199b9fbf") throw new Error(`unexpected worker answer ${text}`);
  }
  return median(samples);
}
const signingWorker = (name, module) => bundleWorker(join(root, `target/bench-worker-${name}`),
  `import { senselinkSign } from ${JSON.stringify(module)};\n` +
  `export default { async fetch() { return new Response(senselinkSign("1477881215000", "2323dsfadfewrasa3434")); } };\n`);
const pkgWorker = await signingWorker("pkg", join(pkg, "dist/workerd.js"));
const baseWorker = await signingWorker("baseline", join(here, "baseline/senselink-baseline.js"));
const wdPkg = await workerdColdStart(pkgWorker);
const wdBase = await workerdColdStart(baseWorker);
rows.push([`cold start, workerd (fresh workerd to first response; median of ${RUNS})`,
  `${wdPkg.toFixed(1)} ms (+${(wdPkg - wdBase).toFixed(1)} ms over baseline)`, `${wdBase.toFixed(1)} ms`]);

// --- signing throughput ---------------------------------------------------------------------------
{
  const lib = await import(join(pkg, "dist/node.js"));
  const base = await import(join(here, "baseline/senselink-baseline.js"));
  const N = 20000;
  const time = (fn) => {
    for (let i = 0; i < 1000; i++) fn(String(1477881215000 + i), "2323dsfadfewrasa3434");
    const start = performance.now();
    for (let i = 0; i < N; i++) fn(String(1477881215000 + i), "2323dsfadfewrasa3434");
    return ((performance.now() - start) * 1000) / N;
  };
  rows.push([`senselinkSign per call (Node, mean of ${N})`, `${time(lib.senselinkSign).toFixed(2)} µs`, `${time(base.senselinkSign).toFixed(2)} µs`]);
}

// --- per-call overhead -----------------------------------------------------------------------------
// Library work only: both sides get the same in-memory `fetch` that answers at once with a real
// page captured from the sandbox (20 SenseLink persons; 200 cyzen spots).
const sandbox = await startServer(join(root, "target/release/sandbox"), ["--port", "0"]);
{
  const lib = await import(join(pkg, "dist/node.js"));
  const base = await import(join(here, "baseline/senselink-baseline.js"));
  const sl = { baseUrl: sandbox.url, appKey: "sandbox-app-key", appSecret: "sandbox-app-secret" };
  const cz = { baseUrl: `${sandbox.url}/webapi/v0`, companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b", token: "sandbox-static-token" };
  const personsBody = await (await fetch(`${sandbox.url}/api/v1/user/list?${new URLSearchParams({ size: 20, app_key: sl.appKey,
    timestamp: String(Date.now()), sign: lib.senselinkSign(String(Date.now()), sl.appSecret) })}`)).text();
  const spotsBody = await (await fetch(`${cz.baseUrl}/spots?company_id=${cz.companyId}`, { headers: { authorization: `bearer ${cz.token}` } })).text();
  const canned = (body) => async () => new Response(body, { headers: { "content-type": "application/json" } });
  const perCall = async (fn, n = 400) => {
    for (let i = 0; i < 40; i++) await fn();
    const start = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return ((performance.now() - start) * 1000) / n;
  };
  const slClient = new lib.SenseLinkClient({ ...sl, fetch: canned(personsBody) });
  const slLib = await perCall(() => slClient.persons.list({ size: 20 }));
  const slBase = await perCall(() => base.senselinkCall({ ...sl, path: "/api/v1/user/list", query: { size: 20 }, fetch: canned(personsBody) }));
  rows.push(["per call: SenseLink `persons.list` (20 persons: sign, send, decode; in-memory fetch)", `${slLib.toFixed(0)} µs`, `${slBase.toFixed(0)} µs`]);
  const czClient = new lib.CyzenClient({ baseUrl: cz.baseUrl, companyId: cz.companyId, auth: { staticToken: cz.token },
    requestsPerSecond: 10_000, fetch: canned(spotsBody) });
  const czLib = await perCall(async () => { for await (const page of czClient.spots.list().pages()) return page; }, 200);
  const czBase = await perCall(() => base.cyzenPage({ ...cz, path: "/spots", listKey: "spots", fetch: canned(spotsBody) }), 200);
  rows.push(["per call: cyzen spots page (200 spots: pace, send, decode; in-memory fetch)", `${czLib.toFixed(0)} µs`, `${czBase.toFixed(0)} µs`]);
}

// --- paced throughput against the sandbox's 5 calls/s limit -----------------------------------------
// 40 calls started at once against the sandbox (sliding 1-s window per token, over-limit answered
// 503). Rate = calls after the first 5 / time from the first to the last send seen by the server.
{
  const lib = await import(join(pkg, "dist/node.js"));
  const base = await import(join(here, "baseline/senselink-baseline.js"));
  const cz = { baseUrl: `${sandbox.url}/webapi/v0`, companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b", token: "sandbox-static-token" };
  const N = 40;
  const admin = (path, init) => fetch(`${sandbox.url}${path}`, init).then((r) => r.json());
  const measure = async (label, callAll) => {
    await admin("/__admin/cyzen/stats", { method: "DELETE" });
    await admin("/__admin/requests", { method: "DELETE" });
    await callAll();
    const stats = await admin("/__admin/cyzen/stats");
    const perToken = Object.values(stats.per_token ?? stats.tokens ?? {})[0] ?? {};
    const log = (await admin("/__admin/requests?path_prefix=/webapi/v0/statuses")).map((e) => e.received_at_ms).sort((a, b) => a - b);
    const rate = (log.length - 5) / ((log[log.length - 1] - log[0]) / 1000);
    return { label, accepted: perToken.accepted, rejected: perToken.rejected ?? 0, maxWindow: perToken.max_in_1s, rate };
  };
  const paced = await measure("library", async () => {
    const client = new lib.CyzenClient({ baseUrl: cz.baseUrl, companyId: cz.companyId, auth: { staticToken: cz.token } });
    await Promise.all(Array.from({ length: N }, () => client.statuses.list().toArray({ limit: 1000 })));
  });
  const naive = await measure("baseline", async () => {
    const acquire = base.fixedWindowLimiter(5);
    await Promise.all(Array.from({ length: N }, async () => {
      await acquire();
      await base.cyzenPage({ ...cz, path: "/statuses", listKey: "statuses" }).catch(() => null);
    }));
  });
  const fmt = (r) => `${r.rate.toFixed(2)} calls/s (${((r.rate / 5) * 100).toFixed(1)} % of 5/s); ${r.rejected} over-limit; max ${r.maxWindow} in any 1 s`;
  rows.push([`paced throughput: ${N} concurrent cyzen calls vs the sandbox's sliding 5/s (budget ≥ 98 %, 0 over-limit)`, fmt(paced), `${fmt(naive)} (fixed 1-s window counter)`]);
}

// --- photo bytes copied into wasm memory ----------------------------------------------------------------
// Registers a 3 MB photo as a Blob and as a Uint8Array, and reads how much the wasm linear memory grew.
{
  const lib = await import(join(pkg, "dist/node.js"));
  const glue = await import(join(pkg, "cyzen_senselink.js"));
  const memory = glue.initSync({ module: readFileSync(join(pkg, "cyzen_senselink_bg.wasm")) }).memory;
  const photo = new Uint8Array(3 * 1024 * 1024);
  photo.set([0xff, 0xd8, 0xff, 0xe0]);
  for (let i = 4; i < photo.length; i++) photo[i] = (i * 31) & 255;
  const client = new lib.SenseLinkClient({ baseUrl: sandbox.url, appKey: "sandbox-app-key", appSecret: "sandbox-app-secret",
    fetch: async () => new Response(JSON.stringify({ code: 200, message: "OK", data: { id: 1, name: "x" } })) });
  const grow = async (avatar) => {
    const before = memory.buffer.byteLength;
    await client.employees.create({ name: "計測 太郎", avatar });
    return memory.buffer.byteLength - before;
  };
  await grow(new Blob([photo.subarray(0, 1024)], { type: "image/jpeg" })); // warm-up: first-call allocations
  const blobGrowth = await grow(new Blob([photo], { type: "image/jpeg" }));
  const bytesGrowth = await grow(photo);
  rows.push(["wasm memory growth registering a 3 MB photo (budget: 0 bytes)", `Blob: **${blobGrowth} bytes**; Uint8Array: **${bytesGrowth} bytes**`, "—"]);
}
sandbox.stop();

const table = ["| measure | cyzen-senselink | JS baseline |", "|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const header = `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, by \`make bench\`.\n\n`;
writeFileSync(join(here, "results.md"), header + table + "\n");
console.log(header + table);
