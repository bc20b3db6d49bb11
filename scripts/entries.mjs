// The package's entry points and WebAssembly modules, in one table: which wasm each entry loads,
// which cargo features each wasm is built with, and which parts of the API (instance.ts's ports)
// it serves. scripts/build-package.sh builds from it, and this script writes what follows from it:
//   node scripts/entries.mjs modules              the wasm modules, one per line
//   node scripts/entries.mjs features <module>    its cargo features, comma-separated
//   node scripts/entries.mjs write <stage>        the loaders and entry modules (TypeScript) into <stage>/src
//   node scripts/entries.mjs node <stage> <metafile>
//                                                  the Node entries (<stage>/dist/<entry>.node.js), exporting what
//                                                  esbuild's metafile says the same entry's browser loader exports
//   node scripts/entries.mjs package <in> <out> <version>
//                                                  package.json with `exports`, `files` and `sideEffects`
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The wasm modules: cargo features, and the ports (pkg-template/src/instance.ts) each serves. */
export const MODULES = {
  // Everything, for the root entry: one module is smaller than the three below together (the
  // runtime, allocator and shared core are in it once).
  all: { features: ["cyzen", "senselink", "proxies", "coordinator", "import", "events"], parts: ["senselink", "cyzen", "server"] },
  // The SenseLink client, with the importer's checks (1.2 KB gzip; the importer runs in browsers).
  senselink: { features: ["senselink", "import"], parts: ["senselink"] },
  // The cyzen client and its OAuth.
  cyzen: { features: ["cyzen"], parts: ["cyzen"] },
  // What runs next to a secret: the proxy planners, the coordinator's window, the event reader.
  server: { features: ["proxies", "coordinator", "events"], parts: ["server"] },
};

/**
 * The entry points: the subpath, its API module (pkg-template/src/<api>.ts), the wasm it loads and
 * the base name of its loaders in dist/ (`<name>.node.js`…; the root keeps `node.js`…).
 */
export const ENTRIES = [
  { subpath: ".", api: "api", module: "all", name: "" },
  { subpath: "./senselink", api: "api-senselink", module: "senselink", name: "senselink" },
  { subpath: "./cyzen", api: "api-cyzen", module: "cyzen", name: "cyzen" },
  { subpath: "./server", api: "api-server", module: "server", name: "server" },
  { subpath: "./import", api: "api-import", module: "senselink", name: "import" },
];

/** The runtimes, in the order of the `exports` conditions that pick their loader. */
const CONDITIONS = [
  ["workerd", "workerd"],
  ["worker", "browser"],
  ["browser", "browser"],
  ["node", "node"],
  ["default", "browser"],
];
const RUNTIMES = ["node", "browser", "workerd"];
/** The runtimes whose loaders are bundled into shared chunks (Node's are written by `node`). */
const CHUNKED_RUNTIMES = ["browser", "workerd"];

/** The file name (in src/ and dist/) of an entry's loader for a runtime, without extension. */
export const entryFile = (entry, runtime) => (entry.name ? `${entry.name}.${runtime}` : runtime);
/** The file name of a module's instantiation for a runtime, without extension. */
const loadFile = (module, runtime) => `load-${module}.${runtime}`;

/** Instantiates module `m` for `runtime` (module scope: runs once, however many entries import it). */
function loader(m, runtime) {
  const glue = `../wasm/${m}.js`;
  const wasm = `../wasm/${m}_bg.wasm`;
  switch (runtime) {
    case "browser":
      return `/** Instantiates the \`${m}\` wasm in browsers, web workers, bundlers and Deno: fetched and compiled with top-level await. */
import init from "${glue}";

await init({ module_or_path: new URL("${wasm}", import.meta.url) });
`;
    case "workerd":
      return `/**
 * Instantiates the \`${m}\` wasm in Cloudflare Workers: the \`.wasm\` is imported as a precompiled
 * \`WebAssembly.Module\` (Wrangler's rule for \`*.wasm\`; raw workerd: a \`wasm\` module in the config),
 * so nothing is compiled or fetched at run time and the module scope performs no I/O.
 */
import wasmModule from "${wasm}";
import { initSync } from "${glue}";

initSync({ module: wasmModule });
`;
  }
  throw new Error(`unknown runtime ${runtime}`);
}

/** An entry for a runtime: instantiate its module, give it to its ports, re-export its API. */
function entrySource(entry, runtime) {
  const m = entry.module;
  return `/** \`cyzen-senselink${entry.subpath === "." ? "" : entry.subpath.slice(1)}\` for ${runtime}: the \`${m}\` wasm, then the API. */
import "./${loadFile(m, runtime)}.js";
import * as glue from "../wasm/${m}.js";
import { provide } from "./instance.js";

provide(glue, ${JSON.stringify(MODULES[m].parts)});

export * from "./${entry.api}.js";
`;
}

/**
 * Everything the Node entries serve, as one module: Node's ESM loader pays per file (measured: a
 * fresh `import()` of the SenseLink entry plus its first call took about 5 ms less when its 9
 * files were one), so each Node entry is a small file re-exporting its part of this one.
 */
function nodeShared() {
  return `/** The Node entries' one shared module: every API, the loaders' \`provide\` and each wasm's glue. */
export * from "./api.js";
export { provide } from "./instance.js";
${Object.keys(MODULES).map((m) => `export * as ${m}Glue from "../wasm/${m}.js";`).join("\n")}
`;
}

function write(stage) {
  const src = join(stage, "src");
  const modules = new Set(ENTRIES.map((e) => e.module));
  for (const m of modules) for (const runtime of CHUNKED_RUNTIMES) writeFileSync(join(src, `${loadFile(m, runtime)}.ts`), loader(m, runtime));
  for (const entry of ENTRIES) for (const runtime of CHUNKED_RUNTIMES) writeFileSync(join(src, `${entryFile(entry, runtime)}.ts`), entrySource(entry, runtime));
  writeFileSync(join(src, "node-shared.ts"), nodeShared());
}

/**
 * The Node entries: instantiate the module (read and compiled synchronously; `initSync` does
 * nothing when another entry already did), give it to the ports, re-export the entry's names.
 */
function writeNode(stage, metafile) {
  const { outputs } = JSON.parse(readFileSync(metafile, "utf8"));
  const exportsOf = (file) => {
    const found = Object.entries(outputs).find(([path]) => path.endsWith(`/${file}`));
    if (!found) throw new Error(`${file} is not in ${metafile}`);
    return found[1].exports;
  };
  for (const entry of ENTRIES) {
    const m = entry.module;
    const names = exportsOf(`${entryFile(entry, "browser")}.js`);
    writeFileSync(join(stage, "dist", `${entryFile(entry, "node")}.js`), `/* \`cyzen-senselink${entry.subpath === "." ? "" : entry.subpath.slice(1)}\` for Node ≥ 20: the \`${m}\` wasm, read and compiled synchronously at import. */
import { ${m}Glue as glue, provide } from "./node-shared.js";
// fs.readFileSync through process.getBuiltinModule (Node ≥ 20.16): an \`import\` of node:fs builds its
// ESM namespace, whose lazy stream getters load Node's stream stack (4–6 ms of a cold start).
const readFileSync = globalThis.process?.getBuiltinModule?.("node:fs")?.readFileSync ?? (await import("node:fs")).readFileSync;
glue.initSync({ module: readFileSync(new URL("../wasm/${m}_bg.wasm", import.meta.url)) });
provide(glue, ${JSON.stringify(MODULES[m].parts)});
export { ${names.join(", ")} } from "./node-shared.js";
`);
  }
}

/** The `exports` map: every entry with the same conditions, types first. */
export function exportsMap() {
  const map = {};
  for (const entry of ENTRIES) {
    const conditions = { types: `./dist/${entry.api}.d.ts` };
    for (const [condition, runtime] of CONDITIONS) conditions[condition] = `./dist/${entryFile(entry, runtime)}.js`;
    map[entry.subpath] = conditions;
  }
  map["./package.json"] = "./package.json";
  return map;
}

function writePackage(input, output, version) {
  const pkg = JSON.parse(readFileSync(input, "utf8"));
  pkg.version = version;
  pkg.exports = exportsMap();
  pkg.types = "./dist/api.d.ts";
  // Only the loaders and the entries have effects (they instantiate a module); the API modules
  // and their shared chunks have none, so a bundler drops what an app does not import.
  pkg.sideEffects = [
    ...ENTRIES.flatMap((entry) => RUNTIMES.map((runtime) => `./dist/${entryFile(entry, runtime)}.js`)),
    "./dist/load-*.js",
  ];
  writeFileSync(output, JSON.stringify(pkg, null, 2) + "\n");
}

const [command, ...args] = process.argv.slice(2);
if (command === "modules") console.log(Object.keys(MODULES).join("\n"));
else if (command === "features") console.log(MODULES[args[0]].features.join(","));
else if (command === "write") write(args[0]);
else if (command === "node") writeNode(args[0], args[1]);
else if (command === "package") writePackage(args[0], args[1], args[2]);
else if (command !== undefined) {
  console.error(`usage: node scripts/entries.mjs modules | features <module> | write <stage> | node <stage> <metafile> | package <in> <out> <version>`);
  process.exit(2);
}
