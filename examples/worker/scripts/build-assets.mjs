// Assembles the Worker's static assets: the admin page (the repository's www/) and the browser files
// of the installed cyzen-senselink package under vendor/cyzen-senselink/ (where the page's import
// map points). Only runtime files are copied: no .d.ts, no README.
//   node scripts/build-assets.mjs [--www DIR] [--pkg DIR] [--out DIR]
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? resolve(args[i + 1]) : fallback;
};
const www = option("--www", resolve(here, "../../www"));
const pkgDir = option("--pkg", null) ?? dirname(createRequire(join(here, "package.json")).resolve("cyzen-senselink/package.json"));
const out = option("--out", join(here, "public"));

if (!existsSync(join(www, "index.html"))) throw new Error(`no admin page at ${www} (pass --www DIR)`);
if (!existsSync(join(pkgDir, "dist/senselink.browser.js"))) throw new Error(`no built cyzen-senselink package at ${pkgDir} (pass --pkg DIR)`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(www, out, { recursive: true });
const vendor = join(out, "vendor/cyzen-senselink");
mkdirSync(vendor, { recursive: true });
cpSync(join(pkgDir, "package.json"), join(vendor, "package.json"));
// dist/ (entries, loaders, chunks) and wasm/ (each module's glue, its snippets and the .wasm),
// JavaScript and WebAssembly only.
for (const dir of ["dist", "wasm"]) {
  cpSync(join(pkgDir, dir), join(vendor, dir), {
    recursive: true,
    filter: (path) => statSync(path).isDirectory() || path.endsWith(".js") || path.endsWith(".wasm"),
  });
}
console.log(`assets in ${out} (page from ${www}, package from ${pkgDir})`);
