// `make bench`: shipped size (and what the wasm is made of), cold start (Node, workerd), per-call
// cost with an in-memory fetch, wasm memory growth and paced throughput, each next to a
// hand-written JS baseline (bench/baseline/) measured in the same run. Prints Markdown tables and
// writes them to bench/results.md. These are measurements, not tests: no budget fails the run.
// Run it through scripts/bench.sh (`make bench`), which builds what it measures and passes --expose-gc.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { gzipSync } from "node:zlib";
import { run, startServer } from "../tests/support/processes.mjs";
import { bundleWorker, withWorkerd } from "../tests/support/workerd.mjs";
import { breakdown } from "./wasm-breakdown.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
// The package to measure: scripts/bench.sh builds a private copy (BENCH_PKG); by hand, pkg/.
const pkg = resolve(root, process.env.BENCH_PKG ?? "pkg");
const work = join(root, "target/bench");
const baselinePath = join(here, "baseline/senselink-baseline.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 21); // fresh processes per cold-start figure
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 80); // per-call: interleaved rounds …
const CALLS = Number(process.env.BENCH_CALLS ?? 20); // … of this many calls per variant
mkdirSync(work, { recursive: true });

/** Result rows: measure, library, baseline, budget. */
const rows = [];
const notes = [];
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const min = (values) => Math.min(...values);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const gz = (buffer) => gzipSync(buffer, { level: 9 }).length;
const ms = (value) => `${value.toFixed(2)} ms`;
const us = (value) => `${value.toFixed(0)} µs`;
const signed = (value, unit) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)} ${unit}`;
const jsUnder = (dir) => readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".js")).map((f) => join(dir, f));

// --- size -------------------------------------------------------------------------------------------
// Everything a user's bundle or page can load: the wasm, the wasm-bindgen glue, the wrapper and
// loaders (dist/, with dist/generated/) and wasm-bindgen's snippets. Each file is gzipped on its
// own (that is how they are served); the one-bundle figure is given for comparison.
{
  const wasm = readFileSync(join(pkg, "cyzen_senselink_bg.wasm"));
  const jsFiles = [join(pkg, "cyzen_senselink.js"), ...jsUnder(join(pkg, "dist")), ...jsUnder(join(pkg, "snippets"))];
  const js = jsFiles.map((f) => readFileSync(f));
  const jsRaw = js.reduce((sum, b) => sum + b.length, 0);
  const jsGz = js.reduce((sum, b) => sum + gz(b), 0);
  const baseline = readFileSync(baselinePath);
  rows.push(["shipped size: wasm", `${kb(wasm.length)} raw, **${kb(gz(wasm))} gzip**`, "—", "—"]);
  rows.push([`shipped size: JS (${jsFiles.length} files: glue, \`dist/**\`, \`snippets/**\`; gzip per file)`,
    `${kb(jsRaw)} raw, **${kb(jsGz)} gzip** (${kb(gz(Buffer.concat(js)))} as one bundle)`,
    `${kb(baseline.length)} raw, ${kb(gz(baseline))} gzip (one module)`, "—"]);
  rows.push(["shipped size: total gzip", `**${kb(gz(wasm) + jsGz)}**`, kb(gz(baseline)), "≤ 45 KB"]);
}

// --- what the wasm is made of -----------------------------------------------------------------------
// From the name-keeping build scripts/bench.sh makes next to the package (same cargo output and
// wasm-opt features, plus names); skipped with a note when it is missing or older than pkg/.
const wasmParts = [];
{
  const list = join(work, "breakdown/twiggy-top.json");
  const shipped = join(pkg, "cyzen_senselink_bg.wasm");
  if (!existsSync(list) || statSync(list).mtimeMs < statSync(shipped).mtimeMs) {
    wasmParts.push("_Skipped: no twiggy item list for the current build (scripts/bench.sh makes it with twiggy; " +
      "`cargo install twiggy --locked` failed or the script was not run)._");
  } else {
    const { total, buckets, top } = breakdown(JSON.parse(readFileSync(list, "utf8")));
    // Both come from the same cargo output, so they differ only by wasm-opt's --converge passes;
    // a larger gap means cargo's output was rebuilt after pkg/ (by another build in this tree).
    const gap = Math.abs(total - statSync(shipped).size) / statSync(shipped).size;
    if (gap > 0.03) wasmParts.push(`**The name-keeping build is ${(gap * 100).toFixed(0)} % off the shipped size: it may describe a different build.**`, "");
    wasmParts.push(
      `\`twiggy top\` of a name-keeping build of the same wasm (${kb(total)} without its name section; ` +
        `the shipped, nameless one is ${kb(statSync(shipped).size)}). Generic std code instantiated for ` +
        "this crate counts as std; an export's shim counts with what it exports (wasm-opt inlines the body into it).",
      "",
      "| bucket | bytes | share |",
      "|---|---:|---:|",
      ...buckets.map(([bucket, size]) => `| ${bucket} | ${size} | ${((size / total) * 100).toFixed(1)} % |`),
      "",
      `Largest ${top.length} items:`,
      "",
      "| # | item | bucket | bytes |",
      "|---:|---|---|---:|",
      ...top.map((item, i) => `| ${i + 1} | \`${item.name.replaceAll("|", "\\|")}\` | ${item.bucket} | ${item.size} |`),
    );
  }
}

// --- cold start: Node ---------------------------------------------------------------------------------
// Fresh processes, the three kinds interleaved so that drift in the machine's speed hits all alike.
{
  const samples = { pkg: [], base: [], wasm: [] };
  const once = async (entry, ...flags) =>
    JSON.parse(await run(process.execPath, [join(here, "cold-node.mjs"), entry, ...flags])).ms;
  for (let i = 0; i < RUNS; i++) {
    samples.pkg.push(await once(join(pkg, "dist/node.js")));
    samples.base.push(await once(baselinePath));
    samples.wasm.push(await once(join(pkg, "cyzen_senselink.js"), "--wasm-only"));
  }
  const [pkgMs, baseMs, wasmMs] = [median(samples.pkg), median(samples.base), median(samples.wasm)];
  rows.push([`cold start, Node: \`import()\` + first \`senselinkSign\` (fresh process; median of ${RUNS})`,
    `${ms(pkgMs)} (**${signed(pkgMs - baseMs, "ms")}** over baseline)`, ms(baseMs), "≤ +3 ms over baseline"]);
  rows.push([`cold start, Node: wasm compile + instantiate only (median of ${RUNS})`, ms(wasmMs), "—", "— (part of the row above)"]);
}

// --- cold start: workerd ----------------------------------------------------------------------------
// Inside workerd the clock does not advance during synchronous work, so the cost is measured from
// outside: time from starting a fresh workerd (Miniflare) to the first response, for a Worker that
// imports the package versus one that imports the baseline; the difference is the package's cost.
{
  const signingWorker = (name, module) => bundleWorker(join(work, `worker-${name}`),
    `import { senselinkSign } from ${JSON.stringify(module)};\n` +
    `export default { async fetch() { return new Response(senselinkSign("1477881215000", "2323dsfadfewrasa3434")); } };\n`);
  const workers = { pkg: await signingWorker("pkg", join(pkg, "dist/workerd.js")), base: await signingWorker("baseline", baselinePath) };
  const samples = { pkg: [], base: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const side of ["pkg", "base"]) {
      const start = performance.now();
      const text = await withWorkerd(workers[side], async (mf) => (await mf.dispatchFetch("http://bench.test/")).text());
      samples[side].push(performance.now() - start);
      if (text !== "e5ef72ef839bdf5397b4906b199b9fbf") throw new Error(`unexpected worker answer ${text}`);
    }
  }
  const [pkgMs, baseMs] = [median(samples.pkg), median(samples.base)];
  rows.push([`cold start, workerd: fresh workerd to first response (median of ${RUNS})`,
    `${ms(pkgMs)} (${signed(pkgMs - baseMs, "ms")} over baseline)`, ms(baseMs), "—"]);
}

const lib = await import(join(pkg, "dist/node.js"));
const base = await import(baselinePath);

// --- signing --------------------------------------------------------------------------------------------
{
  const N = 20000;
  const time = (fn) => {
    for (let i = 0; i < 1000; i++) fn(String(1477881215000 + i), "2323dsfadfewrasa3434");
    const start = performance.now();
    for (let i = 0; i < N; i++) fn(String(1477881215000 + i), "2323dsfadfewrasa3434");
    return ((performance.now() - start) * 1000) / N;
  };
  rows.push([`\`senselinkSign\` per call (mean of ${N})`, `${time(lib.senselinkSign).toFixed(2)} µs`, `${time(base.senselinkSign).toFixed(2)} µs`, "—"]);
}

// --- pages captured from the sandbox ------------------------------------------------------------------
const sandbox = await startServer(join(root, "target/release/sandbox"), ["--port", "0"]);
const sl = { baseUrl: sandbox.url, appKey: "sandbox-app-key", appSecret: "sandbox-app-secret" };
const cz = { baseUrl: `${sandbox.url}/webapi/v0`, companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b", token: "sandbox-static-token" };
const personsBody = await (async () => {
  const timestamp = String(Date.now()); // one value, signed and sent
  const query = new URLSearchParams({ page: 1, size: 20, app_key: sl.appKey, timestamp, sign: lib.senselinkSign(timestamp, sl.appSecret) });
  const text = await (await fetch(`${sl.baseUrl}/api/v1/user/list?${query}`)).text();
  const envelope = JSON.parse(text);
  if (envelope.code !== 200 || envelope.data?.length !== 20) throw new Error(`persons capture failed: ${text.slice(0, 200)}`);
  return text;
})();
const spotsBody = await (async () => {
  const text = await (await fetch(`${cz.baseUrl}/spots?company_id=${cz.companyId}`, { headers: { authorization: `bearer ${cz.token}` } })).text();
  const page = JSON.parse(text);
  if (page.spots?.length !== 200 || !page.next_spot_id) throw new Error(`spots capture failed: ${text.slice(0, 200)}`);
  return text;
})();
const spotsFile = join(work, "spots-page.json");
writeFileSync(spotsFile, spotsBody);

// --- per call, in-memory fetch -------------------------------------------------------------------------
// Library work only: both sides get the same `fetch` that answers at once with the captured page.
// The variants run interleaved in many short rounds (order rotated each round, garbage collected
// before each batch) so that the machine's drift and noise fall on all of them alike.
{
  let lastRequest;
  const canned = (body) => async (url, init) => {
    lastRequest = { url, init };
    return new Response(body, { headers: { "content-type": "application/json" } });
  };
  const slClient = new lib.SenseLinkClient({ ...sl, fetch: canned(personsBody) });
  const czClient = new lib.CyzenClient({ baseUrl: cz.baseUrl, companyId: cz.companyId, auth: { staticToken: cz.token },
    requestsPerSecond: 10_000, fetch: canned(spotsBody) });
  const variants = {
    slLib: () => slClient.persons.list({ size: 20 }),
    slBase: () => base.senselinkPage({ ...sl, path: "/api/v1/user/list", size: 20, fetch: canned(personsBody) }),
    czLib: async () => {
      for await (const page of czClient.spots.list().pages()) return page;
    },
    czBase: () => base.cyzenPage({ ...cz, path: "/spots", listKey: "spots", fetch: canned(spotsBody) }),
  };

  // Both sides must send the same request and get the same items and cursor out of the same page.
  const shape = ({ url, init }) => {
    const u = new URL(url);
    for (const key of ["timestamp", "sign"]) if (u.searchParams.has(key)) u.searchParams.set(key, "…");
    u.searchParams.sort();
    return { url: u.href, method: init?.method ?? "GET", authorization: new Headers(init?.headers).get("authorization") };
  };
  const check = async (name, libCall, baseCall, same) => {
    const libOut = await libCall();
    const libRequest = shape(lastRequest);
    const baseOut = await baseCall();
    const baseRequest = shape(lastRequest);
    if (!isDeepStrictEqual(libRequest, baseRequest)) {
      throw new Error(`${name}: the two sides send different requests: ${JSON.stringify([libRequest, baseRequest])}`);
    }
    if (!same(libOut, baseOut)) throw new Error(`${name}: the two sides read different results from the same page`);
  };
  await check("persons.list", variants.slLib, variants.slBase, (l, b) => l.items.length === 20 && l.nextPage === b.nextPage &&
    isDeepStrictEqual(l.items.map((p) => p.id), b.items.map((p) => p.id)));
  await check("spots page", variants.czLib, variants.czBase, (l, b) => l.items.length === 200 && isDeepStrictEqual(l.next, b.next) &&
    isDeepStrictEqual(l.items.map((s) => s.spot_id), b.items.map((s) => s.spot_id)));

  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const gc = globalThis.gc ?? (() => {});
  if (!globalThis.gc) notes.push("Per-call rounds ran without `--expose-gc` (run through `make bench`): no collection between batches.");
  for (let round = -5; round < ROUNDS; round++) { // 5 unrecorded warm-up rounds
    for (let k = 0; k < names.length; k++) {
      const name = names[(((round % names.length) + names.length) % names.length + k) % names.length];
      const call = variants[name];
      gc();
      const start = performance.now();
      for (let i = 0; i < CALLS; i++) await call();
      if (round >= 0) samples[name].push(((performance.now() - start) * 1000) / CALLS);
    }
  }
  const perCall = (label, libName, baseName) => {
    const [l, b] = [samples[libName], samples[baseName]];
    rows.push([`${label} (in-memory fetch; ${ROUNDS} interleaved rounds × ${CALLS} calls; median / min of the rounds)`,
      `${us(median(l))} / ${us(min(l))} (**${(median(l) / median(b)).toFixed(2)}×** / ${(min(l) / min(b)).toFixed(2)}× baseline)`,
      `${us(median(b))} / ${us(min(b))}`, "≤ 1.1× baseline"]);
  };
  perCall("per call: SenseLink `persons.list({ size: 20 })`, 20 persons", "slLib", "slBase");
  perCall("per call: cyzen `spots.list().pages()` first page, 200 records", "czLib", "czBase");
}

// --- wasm memory growth ----------------------------------------------------------------------------------
// In a fresh process (bench/memory-node.mjs): here the rounds above have already grown the memory.
{
  const m = JSON.parse(await run(process.execPath, [join(here, "memory-node.mjs"), pkg, spotsFile]));
  rows.push(["wasm memory growth: one cyzen 200-record page, after a warm-up call",
    `**${m.cyzenPage} bytes** (warm-up call: ${m.cyzenPageWarmUp} bytes)`, "—", "0 bytes"]);
  rows.push(["wasm memory growth: registering a 3 MB photo (`employees.create`), after a warm-up with 1 KB photos",
    `Blob: **${m.photoBlob} bytes**; Uint8Array: **${m.photoBytes} bytes** (warm-up: ${m.photoWarmUp} bytes)`, "—", "0 bytes"]);
  notes.push(`The wasm memory starts at ${kb(m.initialBytes)} in a fresh process.`);
}

// --- paced throughput against the sandbox's 5 calls/s limit ----------------------------------------------
// 40 calls started at once against the sandbox (sliding 1-s window per token, over-limit answered
// 503). Rate = calls after the first 5 / time from the first to the last send seen by the server.
{
  const N = 40;
  const admin = (path, init) => fetch(`${sandbox.url}${path}`, init).then((r) => r.json());
  const measure = async (callAll) => {
    await admin("/__admin/cyzen/stats", { method: "DELETE" });
    await admin("/__admin/requests", { method: "DELETE" });
    await callAll();
    const stats = await admin("/__admin/cyzen/stats");
    const perToken = Object.values(stats.per_token ?? stats.tokens ?? {})[0] ?? {};
    const log = (await admin("/__admin/requests?path_prefix=/webapi/v0/statuses")).map((e) => e.received_at_ms).sort((a, b) => a - b);
    const rate = (log.length - 5) / ((log[log.length - 1] - log[0]) / 1000);
    return { rejected: perToken.rejected ?? 0, maxWindow: perToken.max_in_1s, rate };
  };
  const paced = await measure(async () => {
    const client = new lib.CyzenClient({ baseUrl: cz.baseUrl, companyId: cz.companyId, auth: { staticToken: cz.token } });
    await Promise.all(Array.from({ length: N }, () => client.statuses.list().toArray({ limit: 1000 })));
  });
  const naive = await measure(async () => {
    const acquire = base.fixedWindowLimiter(5);
    await Promise.all(Array.from({ length: N }, async () => {
      await acquire();
      await base.cyzenPage({ ...cz, path: "/statuses", listKey: "statuses" }).catch(() => null);
    }));
  });
  const fmt = (r) => `${r.rate.toFixed(2)} calls/s (${((r.rate / 5) * 100).toFixed(1)} % of 5/s); ${r.rejected} over-limit; max ${r.maxWindow} in any 1 s`;
  rows.push([`paced throughput: ${N} concurrent cyzen calls vs the sandbox's sliding 5/s window`, fmt(paced),
    `${fmt(naive)} (fixed 1-s window counter)`, "≥ 98 % of 5/s, 0 over-limit"]);
}
// --- one token, many isolates: the coordinator in workerd -----------------------------------------------
// bench/coordinator-worker.js in workerd with the CyzenTokenCoordinator Durable Object: 8 clients
// (standing in for isolates) on one token for 10 s, with and without the object; then what the
// object's two round trips add to one call (sandbox limit off, calls one after another).
{
  const source = readFileSync(join(here, "coordinator-worker.js"), "utf8").replaceAll("PACKAGE", join(pkg, "dist/workerd.js"));
  const script = await bundleWorker(join(work, "worker-coordinator"), source);
  const admin = (path, init) => fetch(`${sandbox.url}${path}`, init).then((r) => r.json());
  const query = (params) => `http://bench.test/?cyzen=${encodeURIComponent(JSON.stringify(cz))}&${new URLSearchParams(params)}`;
  await withWorkerd(script, async (mf) => {
    const paced = async (coordinated) => {
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await admin("/__admin/cyzen/stats", { method: "DELETE" });
      const answer = await (await mf.dispatchFetch(query({ mode: "paced", instances: 8, seconds: 10, coordinated: coordinated ? 1 : 0 }))).json();
      const stats = await admin("/__admin/cyzen/stats");
      // As in the row above: the first window's 5 calls are free, the rest are paced.
      const rate = (stats.accepted - 5) / answer.seconds;
      return `${rate.toFixed(2)} accepted calls/s (${((rate / 5) * 100).toFixed(1)} % of 5/s); ` +
        `${stats.rejected} over-limit; max ${stats.max_in_1s} in any 1 s; ${answer.failed} calls failed`;
    };
    const [withObject, without] = [await paced(true), await paced(false)];
    rows.push(["paced throughput, workerd: 8 clients (isolates) on one token for 10 s, through `CyzenTokenCoordinator`",
      withObject, `without it: ${without}`, "0 over-limit"]);
    await admin("/__admin/cyzen/config", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ rate_limit_per_sec: 0 }) });
    const perCall = async (coordinated) => (await (await mf.dispatchFetch(query({ mode: "overhead", calls: 200, coordinated }))).json()).perCallMs;
    const samples = { with: [], without: [] };
    for (let i = 0; i < 5; i++) {
      samples.without.push(await perCall(0));
      samples.with.push(await perCall(1));
    }
    await admin("/__admin/cyzen/config", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ rate_limit_per_sec: 5 }) });
    const [a, b] = [median(samples.with), median(samples.without)];
    rows.push(["coordinator cost per call, workerd (local object; one round trip before, one after; 5 × 200 sequential calls, median)",
      `${ms(a)} per call with it, ${ms(b)} without: **${signed(a - b, "ms")}**`, "—", "—"]);
  }, { durableObjects: { CYZEN_COORDINATOR: "CyzenTokenCoordinator" } });
}
// --- bulk import against the sandbox ------------------------------------------------------------------
// 300 rows with a 60 KB photo each, in a fresh process (bench/import-node.mjs): time to check them
// (`dryRun`) and to register them (`importPeople`, 4 at a time), and the wasm memory growth meanwhile.
{
  const m = JSON.parse(await run(process.execPath, [join(here, "import-node.mjs"), pkg, sandbox.url]));
  rows.push([`bulk import: \`importPeople\` of ${m.rows} employees with a ${kb(m.photoBytes)} photo each vs the sandbox (concurrency 4)`,
    `check (\`dryRun\`): ${ms(m.checkMs)}; import: **${ms(m.importMs)}** (${(m.rows / (m.importMs / 1000)).toFixed(0)} rows/s)`, "—", "—"]);
  rows.push([`wasm memory growth: checking and importing ${m.rows} rows with photos, after a 5-row warm-up import`,
    `check: **${m.checkGrowth} bytes**; import: **${m.importGrowth} bytes** (warm-up: ${m.warmUpGrowth} bytes)`, "—", "0 bytes"]);
}
sandbox.stop();

// --- report ------------------------------------------------------------------------------------------------
const cpu = cpus();
const report = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch} (${cpu[0]?.model.trim() ?? "unknown CPU"}, ` +
    `${cpu.length} cores), Node ${process.version}, by \`make bench\`. Budgets are targets, not pass/fail checks.`,
  "",
  "| measure | cyzen-senselink | JS baseline | budget |",
  "|---|---|---|---|",
  ...rows.map((r) => `| ${r.join(" | ")} |`),
  "",
  ...notes.map((n) => `- ${n}`),
  ...(notes.length ? [""] : []),
  "### What the wasm is made of",
  "",
  ...wasmParts,
].join("\n");
writeFileSync(join(here, "results.md"), `${report}\n`);
console.log(report);
