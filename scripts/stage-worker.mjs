// Stages examples/worker for `wrangler dev` in this repository, without touching the example
// itself: copies its wrangler.toml and src/ into OUT, makes `cyzen-senselink` resolve to the built
// package (OUT/node_modules/cyzen-senselink → PKG, a symlink), assembles OUT/public with the
// example's own build step (www/ + the package's browser files), and writes OUT/.dev.vars.
//   node scripts/stage-worker.mjs --pkg pkg --out target/demo-worker [--dev-vars FILE]
// Used by `make demo` (scripts/demo.sh) and the admin tests (tests/admin/run.mjs).
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const example = join(root, "examples/worker");

/** Stages the Worker; `devVars` (an object) becomes OUT/.dev.vars. Returns OUT's wrangler.toml. */
export function stageWorker({ pkgDir, outDir, devVars = {} }) {
  const pkg = resolve(pkgDir);
  const out = resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, "node_modules"), { recursive: true });
  cpSync(join(example, "src"), join(out, "src"), { recursive: true });
  cpSync(join(example, "wrangler.toml"), join(out, "wrangler.toml"));
  cpSync(join(example, "package.json"), join(out, "package.json"));
  symlinkSync(pkg, join(out, "node_modules/cyzen-senselink"), "dir");
  execFileSync(process.execPath, [join(example, "scripts/build-assets.mjs"), "--www", join(root, "www"), "--pkg", pkg, "--out", join(out, "public")],
    { stdio: ["ignore", "ignore", "inherit"] });
  writeDevVars(out, devVars);
  return join(out, "wrangler.toml");
}

/** Writes `.dev.vars` (KEY="value" lines, readable by the owner only). */
export function writeDevVars(outDir, vars) {
  const lines = Object.entries(vars).map(([key, value]) => `${key}=${JSON.stringify(String(value))}`);
  const file = join(outDir, ".dev.vars");
  writeFileSync(file, lines.join("\n") + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const varsFile = option("--dev-vars", null);
  const devVars = {};
  if (varsFile) {
    for (const line of readFileSync(varsFile, "utf8").split("\n")) {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (match) devVars[match[1]] = match[2].startsWith('"') ? JSON.parse(match[2]) : match[2];
    }
  }
  const config = stageWorker({ pkgDir: option("--pkg", join(root, "pkg")), outDir: option("--out", join(root, "target/demo-worker")), devVars });
  console.log(config);
}
