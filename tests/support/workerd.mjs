// Running code in real workerd the way users ship it: bundled by Wrangler (`deploy --dry-run`,
// which applies the `workerd` export condition and imports `.wasm` as a compiled module), then
// served by Miniflare.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { run } from "./processes.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const COMPATIBILITY_DATE = "2026-04-01";

/** Bundles a Worker whose entry module is `source` (or an existing project in `dir` when `source`
 * is omitted); returns the path of the bundled entry. */
export async function bundleWorker(dir, source) {
  if (source !== undefined) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "src/index.js"), source);
    writeFileSync(join(dir, "wrangler.toml"),
      `name = "test-worker"\nmain = "src/index.js"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
  }
  await run(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", "out"],
    { cwd: dir, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" } });
  return join(dir, "out/index.js");
}

/** Starts a fresh workerd with the bundled script (and `extra` Miniflare options, e.g. Durable
 * Object bindings), calls `use(miniflare)`, and always disposes it. */
export async function withWorkerd(script, use, extra = {}) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: COMPATIBILITY_DATE,
    ...extra,
  });
  try {
    return await use(mf);
  } finally {
    await mf.dispose();
  }
}
