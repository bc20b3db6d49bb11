// Per-call cost with an in-memory fetch, in a fresh Node process per way of importing the package:
// a process keeps the first wasm instance each part of the API was given (pkg-template/src/
// instance.ts), so the client entries and the root are measured in processes of their own, each
// against the baseline (bench/baseline/baseline.js) in the same process.
//   node --expose-gc bench/per-call-node.mjs <pkg dir> <entries|root> <persons page file> <spots page file>
//     entries: SenseLinkClient and senselinkSign from `/senselink`, CyzenClient from `/cyzen`;
//     root:    all three from the root entry.
// Library work only: both sides get the same `fetch`, which answers at once with a page captured
// from the sandbox. The variants run interleaved in many short rounds (order rotated each round,
// garbage collected before each batch) so that the machine's drift and noise fall on all of them
// alike. BENCH_ROUNDS rounds of BENCH_CALLS calls per variant. Prints JSON: per-call µs of each
// round per variant, and the µs per `senselinkSign` on each side (median of batches).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";

const [pkg, flavour, personsFile, spotsFile] = process.argv.slice(2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 80);
const CALLS = Number(process.env.BENCH_CALLS ?? 20);
const here = dirname(fileURLToPath(import.meta.url));
const load = (file) => import(pathToFileURL(join(pkg, "dist", file)).href);
const [sl, cz] = flavour === "root" ? [await load("node.js"), await load("node.js")]
  : flavour === "entries" ? [await load("senselink.node.js"), await load("cyzen.node.js")]
  : (() => { throw new Error(`unknown flavour ${flavour}`); })();
const base = await import(pathToFileURL(join(here, "baseline/baseline.js")).href);
const personsBody = readFileSync(personsFile, "utf8");
const spotsBody = readFileSync(spotsFile, "utf8");
const out = {};

// --- signing ------------------------------------------------------------------------------------------
// Batches of calls, the two sides alternating, so that a burst of another program's load falls on
// a batch or two of each rather than on one side's whole figure; the median batch is reported.
{
  const BATCHES = 20;
  const N = 1000;
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const batch = (fn, from) => {
    const start = performance.now();
    for (let i = 0; i < N; i++) fn(String(from + i), "2323dsfadfewrasa3434");
    return ((performance.now() - start) * 1000) / N;
  };
  batch(sl.senselinkSign, 1477881215000);
  batch(base.senselinkSign, 1477881215000);
  const lib = [];
  const baseline = [];
  for (let b = 0; b < BATCHES; b++) {
    lib.push(batch(sl.senselinkSign, 1477881215000 + b * N));
    baseline.push(batch(base.senselinkSign, 1477881215000 + b * N));
  }
  out.sign = { lib: median(lib), base: median(baseline), batches: BATCHES, n: N };
}

// --- per call ------------------------------------------------------------------------------------------
const slConfig = { baseUrl: "https://senselink.test", appKey: "bench-app-key", appSecret: "bench-app-secret" };
const czConfig = { baseUrl: "https://cyzen.test/webapi/v0", companyId: "5c1e0a7f3b2d4e6f8a9b0c1d2e3f4a5b", token: "bench-static-token" };
let lastRequest;
const canned = (body) => async (url, init) => {
  lastRequest = { url, init };
  return new Response(body, { headers: { "content-type": "application/json" } });
};
const slClient = new sl.SenseLinkClient({ ...slConfig, fetch: canned(personsBody) });
const czClient = new cz.CyzenClient({ baseUrl: czConfig.baseUrl, companyId: czConfig.companyId, auth: { staticToken: czConfig.token },
  requestsPerSecond: 10_000, fetch: canned(spotsBody) });
const variants = {
  slLib: () => slClient.persons.list({ size: 20 }),
  slBase: () => base.senselinkPage({ ...slConfig, path: "/api/v1/user/list", size: 20, fetch: canned(personsBody) }),
  czLib: async () => {
    for await (const page of czClient.spots.list().pages()) return page;
  },
  czBase: () => base.cyzenPage({ ...czConfig, path: "/spots", listKey: "spots", fetch: canned(spotsBody) }),
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
out.gc = Boolean(globalThis.gc);
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
out.samples = samples;
out.rounds = ROUNDS;
out.calls = CALLS;
console.log(JSON.stringify(out));
