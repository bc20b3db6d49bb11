#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm → wasm-bindgen (web target) → wasm-opt -Oz (npm
# binaryen) → TypeScript wrapper and loaders → JavaScript minified, the wrapper bundled (esbuild) → package.json with the
# crate's version.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_wasm_tools
ensure_npm_deps

# PKG_OUT and CARGO_TARGET_DIR let parallel builds use their own directories.
out=${PKG_OUT:-pkg}
target_dir=${CARGO_TARGET_DIR:-target}
stage=$target_dir/pkg-build
rm -rf "$stage" "$out"
mkdir -p "$stage"

log "cargo build (release, wasm32)"
# Size-only rustc flags for the shipped wasm (scripts/lib.sh says which and why).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} $(wasm_release_rustflags)"
cargo build --quiet --release --target wasm32-unknown-unknown --lib
log "wasm-bindgen --target web"
run_wasm_bindgen "$target_dir/wasm32-unknown-unknown/release/cyzen_senselink.wasm" "$stage"
log "wasm-opt -Oz"
optimize_wasm "$stage/cyzen_senselink_bg.wasm"

log "TypeScript wrapper"
cp -r pkg-template/src pkg-template/tsconfig.json "$stage/"
# Source maps with the TypeScript inlined, for esbuild to chain into the bundle's maps below.
node_modules/.bin/tsc -p "$stage/tsconfig.json" --sourceMap --inlineSources
rm -rf "$stage/src" "$stage/tsconfig.json"
# The `.wasm` ambient declaration is only needed to compile; keep it out of the package.
rm -f "$stage/dist/wasm-module.d.ts" "$stage/dist/wasm-module.js"

# The glue and the snippet are minified file by file; the wrapper (dist/) is bundled into one
# shared module plus the three thin loaders. Node loads ESM module by module: 20 wrapper modules
# cost about as much start-up time as compiling the wasm (measured: a fresh `import()` + first
# sign took half as long once bundled). Imports of the glue and the `.wasm`,
# `new URL(…, import.meta.url)` and top-level await stay as they are for bundlers, Node and workerd.
# The documentation lives in the `.d.ts` files, which are left untouched. No `--keep-names`: it
# wraps every named closure in a naming call (1.6 KB gzip, and work on every call); the public
# classes get their names from `nameClasses` (errors.ts), which error names and stacks rely on.
# Every shipped `.js` gets a `.js.map` with `sourcesContent`: the wrapper's map leads to the
# TypeScript sources (through tsc's maps), the glue's and the snippet's to wasm-bindgen's unminified
# output. Nothing loads them at run time; `node --enable-source-maps` and browser devtools do.
# `--line-limit=160`: an uncaught error without source maps prints its source line, which would
# otherwise be the whole minified file. It costs about 1.0 KB gzip on the wrapper (newlines break
# gzip's matches; 400 would cost 0.4 KB but leave lines of 800+ characters); dropping
# `--keep-names` saved 1.6 KB (measured on the wrapper bundle alone, esbuild 0.27).
log "esbuild: minify the glue, bundle the wrapper"
minify() {
  node_modules/.bin/esbuild "$1" --minify --format=esm --target=es2022 --log-level=warning --line-limit=160 \
    --sourcemap --outfile="$1" --allow-overwrite "${@:2}"
}
# wasm-bindgen lists the host.js snippet once per imported function under the same key; each
# entry is the same module namespace, so the repeated keys are harmless.
# Keep wasm-bindgen's pointer to the glue's declarations (esbuild drops ordinary comments); as a
# banner, so the source map counts its line.
minify "$stage/cyzen_senselink.js" --log-override:duplicate-object-key=silent \
  '--banner:js=/* @ts-self-types="./cyzen_senselink.d.ts" */'
while IFS= read -r file; do
  minify "$file"
done < <(find "$stage/snippets" -name '*.js')
node_modules/.bin/esbuild "$stage/dist/node.js" "$stage/dist/browser.js" "$stage/dist/workerd.js" \
  --bundle --splitting --format=esm --target=es2022 --minify --log-level=warning --line-limit=160 \
  --chunk-names=wrapper --outdir="$stage/bundle" --sourcemap \
  --external:../cyzen_senselink.js --external:../cyzen_senselink_bg.wasm --external:node:fs
find "$stage/dist" -name '*.js' -delete -o -name '*.js.map' -delete
mv "$stage/bundle"/*.js "$stage/bundle"/*.js.map "$stage/dist/"
rmdir "$stage/bundle"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("pkg-template/package.json", "utf8"));
  pkg.version = process.argv[1];
  fs.writeFileSync(process.argv[2] + "/package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$version" "$stage"
cp pkg-template/README.md "$stage/README.md"
cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md "$stage/"
mv "$stage" "$out"
log "$out/ ready: $(du -sh "$out" | cut -f1)"
