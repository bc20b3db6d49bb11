#!/usr/bin/env bash
# Builds the npm package into pkg/: one release wasm per module of scripts/entries.mjs →
# wasm-bindgen (web target) → wasm-opt -Oz (npm binaryen) → TypeScript wrapper and the entries'
# loaders → JavaScript minified, the wrapper bundled (esbuild) → package.json with the crate's
# version and the entries' `exports`.
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

# One wasm per module of scripts/entries.mjs (the root's, and one per client): each a release build
# with that module's cargo features → wasm-bindgen (web target) → wasm-opt -Oz, into $stage/wasm/.
# Cargo keeps each feature set's build apart, so a rebuild recompiles only what changed.
# The toolchain and the size-only rustc flags: cargo_build_wasm in scripts/lib.sh says which and why.
mkdir -p "$stage/wasm"
for module in $(node scripts/entries.mjs modules); do
  features=$(node scripts/entries.mjs features "$module")
  log "wasm \`$module\`: cargo build (release, wasm32, features $features), wasm-bindgen, wasm-opt -Oz"
  cargo_build_wasm "$features"
  run_wasm_bindgen "$target_dir/wasm32-unknown-unknown/release/cyzen_senselink.wasm" "$stage/wasm" "$module"
  optimize_wasm "$stage/wasm/${module}_bg.wasm"
done

log "TypeScript wrapper"
cp -r pkg-template/src pkg-template/tsconfig.json "$stage/"
# The entries' loaders, from the table in scripts/entries.mjs.
node scripts/entries.mjs write "$stage"
# Source maps with the TypeScript inlined, for esbuild to chain into the bundle's maps below.
node_modules/.bin/tsc -p "$stage/tsconfig.json" --sourceMap --inlineSources
rm -rf "$stage/src" "$stage/tsconfig.json"
# The `.wasm` ambient declaration is only needed to compile; keep it out of the package.
rm -f "$stage/dist/wasm-module.d.ts" "$stage/dist/wasm-module.js"

# The glues and the snippet are minified file by file, and so are the loaders (`load-*.js`: one
# per module and runtime, imported by every entry that needs that module, so a module shared by
# two entries is instantiated once). The wrapper (dist/) is bundled from the entries (one per entry
# point and runtime) into shared chunks: Node loads ESM module by module, and 20 wrapper modules
# cost about as much start-up time as compiling the wasm (measured: a fresh `import()` + first
# sign took half as long once bundled). An API module used by several entries (the error classes
# above all) is one chunk, so its classes are the same whichever entry a caller imported.
# Imports of the glue and the `.wasm`, `new URL(…, import.meta.url)` and top-level await stay as
# they are for bundlers, Node and workerd. The documentation lives in the `.d.ts` files, which
# are left untouched. No `--keep-names`: it wraps every named closure in a naming call (1.6 KB
# gzip, and work on every call); the public classes get their names from `nameClasses`
# (errors.ts), which error names and stacks rely on.
# Every shipped `.js` gets a `.js.map` with `sourcesContent`: the wrapper's map leads to the
# TypeScript sources (through tsc's maps), the glue's and the snippet's to wasm-bindgen's unminified
# output. Nothing loads them at run time; `node --enable-source-maps` and browser devtools do.
# `--line-limit=160`: an uncaught error without source maps prints its source line, which would
# otherwise be the whole minified file. It costs about 1.0 KB gzip on the wrapper (newlines break
# gzip's matches; 400 would cost 0.4 KB but leave lines of 800+ characters); dropping
# `--keep-names` saved 1.6 KB (measured on the wrapper bundle alone, esbuild 0.27).
log "esbuild: minify the glues and loaders, bundle the wrapper"
minify() {
  node_modules/.bin/esbuild "$1" --minify --format=esm --target=es2022 --log-level=warning --line-limit=160 \
    --sourcemap --outfile="$1" --allow-overwrite "${@:2}"
}
# wasm-bindgen lists the host.js snippet once per imported function under the same key; each
# entry is the same module namespace, so the repeated keys are harmless.
# Keep wasm-bindgen's pointer to the glue's declarations (esbuild drops ordinary comments); as a
# banner, so the source map counts its line.
for glue in "$stage"/wasm/*.js; do
  minify "$glue" --log-override:duplicate-object-key=silent "--banner:js=/* @ts-self-types=\"./$(basename "$glue" .js).d.ts\" */"
done
while IFS= read -r file; do
  minify "$file"
done < <(find "$stage/wasm/snippets" "$stage/dist" -name '*.js' \( -path '*/snippets/*' -o -name 'load-*.js' \))
# Browsers, bundlers and workerd: the entries bundled into shared chunks (a bundler then drops what
# an app does not import). Node: one module with everything (node-shared.js, the glues included)
# and a small file per entry re-exporting that entry's names, as esbuild's metafile lists them for
# the same entry's browser loader — Node's ESM loader pays per file.
entries=()
while IFS= read -r file; do entries+=("$stage/dist/$file.js"); done < <(node -e '
  import("./scripts/entries.mjs").then(({ ENTRIES, entryFile }) => {
    for (const e of ENTRIES) for (const r of ["browser", "workerd"]) console.log(entryFile(e, r));
  });')
node_modules/.bin/esbuild "${entries[@]}" \
  --bundle --splitting --format=esm --target=es2022 --minify --log-level=warning --line-limit=160 \
  --chunk-names='chunk-[hash]' --outdir="$stage/bundle" --sourcemap --metafile="$stage/meta.json" \
  '--external:../wasm/*' '--external:./load-*'
node_modules/.bin/esbuild "$stage/dist/node-shared.js" \
  --bundle --format=esm --platform=node --target=es2022 --minify --log-level=warning --line-limit=160 \
  --outfile="$stage/bundle/node-shared.js" --sourcemap --log-override:duplicate-object-key=silent
find "$stage/dist" \( -name '*.js' -o -name '*.js.map' \) ! -name 'load-*' -delete
# Declarations of the loaders and entries: the `types` of every entry is its API module's.
rm -f "$stage/dist/node-shared.d.ts" "$stage"/dist/load-*.d.ts "$stage"/dist/*.browser.d.ts "$stage"/dist/*.workerd.d.ts \
  "$stage/dist/browser.d.ts" "$stage/dist/workerd.d.ts"
mv "$stage/bundle"/*.js "$stage/bundle"/*.js.map "$stage/dist/"
rmdir "$stage/bundle"
node scripts/entries.mjs node "$stage" "$stage/meta.json"
rm "$stage/meta.json"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
node scripts/entries.mjs package pkg-template/package.json "$stage/package.json" "$version"
cp pkg-template/README.md "$stage/README.md"
cp LICENSE-MIT LICENSE-APACHE CHANGELOG.md "$stage/"
mv "$stage" "$out"
log "$out/ ready: $(du -sh "$out" | cut -f1)"
