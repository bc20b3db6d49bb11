// One cold start in a fresh Node process (bench/run.mjs starts many). Prints JSON { ms }:
//   default:     `import()` of the entry plus its first `senselinkSign(...)` call — what a user
//                waits for before the first signed request (for the package: reading, compiling
//                and instantiating the wasm, the wrapper's modules, the first call into wasm);
//   --wasm-only: the glue already imported, just compile + instantiate of the package's wasm.
// Node's own start-up is the same for both sides and is not counted.
// (No top-level `import "node:fs"`: its ESM namespace loads Node's stream modules, which would
// then be free for the package's loader and hide what a user's fresh process pays.)
import { pathToFileURL } from "node:url";

const entry = pathToFileURL(process.argv[2]).href;
if (process.argv[3] === "--wasm-only") {
  const glue = await import(entry);
  const { readFileSync } = await import("node:fs");
  const bytes = readFileSync(new URL("cyzen_senselink_bg.wasm", entry));
  const start = performance.now();
  glue.initSync({ module: new WebAssembly.Module(bytes) });
  console.log(JSON.stringify({ ms: performance.now() - start }));
} else {
  const start = performance.now();
  const { senselinkSign } = await import(entry);
  const sign = senselinkSign("1477881215000", "2323dsfadfewrasa3434");
  const ms = performance.now() - start;
  // The vendor manual's test vector: a wrong answer would make the timing meaningless.
  if (sign !== "e5ef72ef839bdf5397b4906b199b9fbf") throw new Error(`unexpected signature ${sign}`);
  console.log(JSON.stringify({ ms }));
}
