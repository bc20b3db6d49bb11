// One cold start in a fresh Node process. Prints JSON:
//   importMs: how long `import()` of the entry took (JS parsing + for the package: reading,
//             compiling and instantiating the wasm);
//   wasmMs:   with --wasm-only, just compile + instantiate of the package's wasm (the budgeted part).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const entry = process.argv[2];
if (process.argv[3] === "--wasm-only") {
  const glue = await import(pathToFileURL(entry).href);
  const bytes = readFileSync(new URL("cyzen_senselink_bg.wasm", pathToFileURL(entry)));
  const start = performance.now();
  glue.initSync({ module: new WebAssembly.Module(bytes) });
  console.log(JSON.stringify({ wasmMs: performance.now() - start }));
} else {
  const start = performance.now();
  await import(pathToFileURL(entry).href);
  console.log(JSON.stringify({ importMs: performance.now() - start }));
}
