// Bulk import against the sandbox, in a fresh Node process (so the wasm memory has not been grown by
// earlier benchmarks): time to check 300 rows (`dryRun`) and to register them (`importPeople`,
// concurrency 4, a 60 KB photo each, as a Blob), and the wasm memory growth during each, after a
// 5-row warm-up import. `importPeople` from `/import`, the client from `/senselink` (one wasm: both
// entries load the SenseLink module). Prints JSON.
// Usage: node bench/import-node.mjs <pkg dir> <sandbox url>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pkg, sandboxUrl] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(join(pkg, file)).href);
const { SenseLinkClient } = await load("dist/senselink.node.js");
const { importPeople } = await load("dist/import.node.js");
// The instance the entries loaded (see memory-node.mjs).
const { memory } = (await load("dist/node-shared.js")).senselinkGlue.initSync();

const ROWS = 300;
const PHOTO_BYTES = 60 * 1024;
const photo = () => {
  const bytes = new Uint8Array(PHOTO_BYTES);
  crypto.getRandomValues(bytes.subarray(8));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Blob([bytes], { type: "image/png" });
};
const tag = Date.now().toString(36);
const rows = (n, name) => Array.from({ length: n }, (_, i) => ({
  kind: "employee", name: `計測 ${name} ${i}`, jobNumber: `B${tag}${name}-${i}`, avatar: photo(),
}));
const sl = new SenseLinkClient({ baseUrl: sandboxUrl, appKey: "sandbox-app-key", appSecret: "sandbox-app-secret" });

const measure = async (call) => {
  const before = memory.buffer.byteLength;
  const start = performance.now();
  const result = await call();
  return { ms: performance.now() - start, growth: memory.buffer.byteLength - before, result };
};

const result = { rows: ROWS, photoBytes: PHOTO_BYTES, initialBytes: memory.buffer.byteLength };
const warm = await measure(() => importPeople(sl, rows(5, "w")));
result.warmUpGrowth = warm.growth;
const people = rows(ROWS, "m");
const check = await measure(() => importPeople(sl, people, { dryRun: true }));
if (check.result.issues.length !== 0) throw new Error(`unexpected issues: ${JSON.stringify(check.result.issues.slice(0, 3))}`);
result.checkMs = check.ms;
result.checkGrowth = check.growth;
const run = await measure(() => importPeople(sl, people, { concurrency: 4 }));
if (run.result.created !== ROWS) throw new Error(`created ${run.result.created} of ${ROWS}`);
result.importMs = run.ms;
result.importGrowth = run.growth;
console.log(JSON.stringify(result));
