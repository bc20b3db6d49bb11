// `make bench`: shipped size, cold start (Node, workerd), per-call overhead and paced throughput,
// each next to a hand-written JS baseline measured in the same run. Prints a Markdown table and
// writes it to bench/results.md. No number here is a test assertion.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../tests/support/processes.mjs";
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

const table = ["| measure | cyzen-senselink | JS baseline |", "|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const header = `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, by \`make bench\`.\n\n`;
writeFileSync(join(here, "results.md"), header + table + "\n");
console.log(header + table);
