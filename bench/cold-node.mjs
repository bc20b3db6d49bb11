// One cold start in a fresh Node process (bench/run.mjs starts many). Prints JSON { ms }:
//   node bench/cold-node.mjs <module file> <job>
//                `import()` of the module (an entry point's Node loader, or the baseline) plus its
//                first job (bench/jobs.mjs) — what a user waits for before the first request (for
//                the package: reading, compiling and instantiating the entry's wasm, the wrapper's
//                modules, the first call into wasm);
//   node bench/cold-node.mjs <glue file> --wasm-only
//                the glue (pkg/wasm/<module>.js) already imported, just compile + instantiate of
//                its wasm (<module>_bg.wasm next to it).
// Node's own start-up is the same for both sides and is not counted.
// (No top-level `import "node:fs"`: its ESM namespace loads Node's stream modules, which would
// then be free for the package's loader and hide what a user's fresh process pays.)
import { pathToFileURL } from "node:url";
import { JOBS } from "./jobs.mjs";

const entry = pathToFileURL(process.argv[2]).href;
if (process.argv[3] === "--wasm-only") {
  const glue = await import(entry);
  const { readFileSync } = await import("node:fs");
  const bytes = readFileSync(new URL(entry.replace(/^.*\/|\.js$/g, "") + "_bg.wasm", entry));
  const cpu = process.cpuUsage();
  const start = performance.now();
  glue.initSync({ module: new WebAssembly.Module(bytes) });
  const ms = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  console.log(JSON.stringify({ ms, cpuMs: (user + system) / 1000 }));
} else {
  const job = JOBS[process.argv[3]];
  if (!job) throw new Error(`unknown job ${process.argv[3]}`);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const lib = await import(entry);
  const answer = job.run(lib);
  const ms = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  // A wrong answer would make the timing meaningless.
  if (answer !== job.answer) throw new Error(`unexpected answer ${answer}`);
  console.log(JSON.stringify({ ms, cpuMs: (user + system) / 1000 }));
}
