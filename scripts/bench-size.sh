#!/usr/bin/env bash
# `make bench-size`: what the toolchain lever is worth per wasm module, and the floor. Builds each
# module of scripts/entries.mjs (its cargo features) twice — on stable, and as the package ships it
# (the pinned nightly with `core` and `alloc` rebuilt with `-Cpanic=immediate-abort`; scripts/lib.sh,
# cargo_build_wasm) — plus the crate with no feature at all, each
# through the package's wasm-bindgen and wasm-opt steps, and writes bench/size-variants.md. The JS
# side and what an app ships per entry point are in `make bench` (bench/results.md); these builds
# are measurements, never shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_wasm_tools
ensure_npm_deps

work=target/bench-size
rm -rf "$work/variants"
mkdir -p "$work/variants"
have_nightly=false
if ensure_wasm_nightly; then have_nightly=true; fi

results=$work/variants/sizes.tsv
: >"$results"
# variant <module name> <cargo features ("" for none)> <stable|nightly>
variant() {
  local name=$1 features=$2 toolchain=$3
  local dir=$work/variants/$name-$toolchain stable_only=true
  [ "$toolchain" = nightly ] && stable_only=false
  log "\`$name\` on $toolchain: features [${features:-none}]"
  # One cargo output per toolchain: switching would rebuild everything each time.
  WASM_STABLE_ONLY=$stable_only CARGO_TARGET_DIR=$work/cargo-$toolchain cargo_build_wasm "$features"
  mkdir -p "$dir"
  run_wasm_bindgen "$work/cargo-$toolchain/wasm32-unknown-unknown/release/cyzen_senselink.wasm" "$dir" "$name"
  optimize_wasm "$dir/${name}_bg.wasm"
  printf '%s\t%s\t%s\t%s\n' "$name" "$toolchain" "$features" "$dir/${name}_bg.wasm" >>"$results"
}

for module in $(node scripts/entries.mjs modules) floor; do
  features=
  [ "$module" = floor ] || features=$(node scripts/entries.mjs features "$module")
  variant "$module" "$features" stable
  if $have_nightly; then variant "$module" "$features" nightly; fi
done

# (Arguments by environment: scripts/entries.mjs reads its command line as its own.)
RESULTS=$results HAVE_NIGHTLY=$have_nightly node --input-type=module <<'EOF' >bench/size-variants.md
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { ENTRIES } from "./scripts/entries.mjs";

const { RESULTS: results, HAVE_NIGHTLY: haveNightly } = process.env;
const kb = (n) => (n / 1024).toFixed(1);
const sizes = {};
for (const line of readFileSync(results, "utf8").trim().split("\n")) {
  const [name, toolchain, features, file] = line.split("\t");
  const wasm = readFileSync(file);
  (sizes[name] ??= { features })[toolchain] = { raw: wasm.length, gz: gzipSync(wasm, { level: 9 }).length };
}
const entries = (name) => ENTRIES.filter((e) => e.module === name).map((e) => `\`cyzen-senselink${e.subpath.slice(1)}\``).join(", ");
const cell = (s) => (s ? `${kb(s.raw)} / **${kb(s.gz)}**` : "—");
const out = [
  `Measured ${new Date().toISOString().slice(0, 10)} by \`make bench-size\` (scripts/bench-size.sh). KB = 1024 bytes; gzip level 9.`,
  "Each wasm module of scripts/entries.mjs built on stable and as the package ships it (the pinned nightly, `core` and `alloc`",
  "rebuilt with `-Cpanic=immediate-abort`: no panic messages, locations or the formatting that builds them), through the",
  "package's wasm-bindgen and `wasm-opt -Oz --converge`. What an app ships per entry point (JS and wasm, bundled) is in",
  "bench/results.md (`make bench`).",
  "",
  "| module | loaded by | cargo features | stable: KB / gzip | shipped (pinned nightly): KB / gzip | gzip saved |",
  "|---|---|---|---:|---:|---:|",
  ...Object.entries(sizes).map(([name, s]) => `| ${name === "floor" ? "floor: no feature (the error factory, trap and reset hooks every module has)" : `\`${name}\``} | ` +
    `${entries(name) || "—"} | ${s.features || "none"} | ${cell(s.stable)} | ${cell(s.nightly)} | ` +
    `${s.stable && s.nightly ? `${kb(s.stable.gz - s.nightly.gz)} KB` : "—"} |`),
];
if (haveNightly !== "true") out.push("", "The pinned nightly could not be installed: only the stable builds are listed.");
console.log(out.join("\n"));
EOF
cat bench/size-variants.md
