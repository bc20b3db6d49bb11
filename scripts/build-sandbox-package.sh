#!/usr/bin/env bash
# Builds the npm package `cyzen-senselink-sandbox` into pkg-sandbox/: the sandbox's router compiled
# to wasm (sandbox/wasm, release) → wasm-bindgen (web target) → wasm-opt -Oz (npm binaryen) → the
# TypeScript wrapper, loaders, bin, server and Worker module (sandbox/npm/src) → bundled (esbuild)
# → package.json with the sandbox crate's version. Called by `make package` after pkg/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_wasm_tools
ensure_npm_deps

# PKG_SANDBOX_OUT and CARGO_TARGET_DIR let parallel builds use their own directories.
out=${PKG_SANDBOX_OUT:-pkg-sandbox}
target_dir=${CARGO_TARGET_DIR:-target}
stage=$target_dir/pkg-sandbox-build
rm -rf "$stage" "$out"
mkdir -p "$stage"

log "cargo build (profile sandbox-wasm, wasm32): the sandbox"
# The client's wasm flags (scripts/lib.sh), and the `sandbox-wasm` profile (Cargo.toml): release
# with opt-level "s" instead of "z". Measured on a cyzen 200-record page answered in-process
# (median of 400): "z" 3.2 ms, "s" 1.2 ms, 3 1.1 ms; the wasm after wasm-opt: 830 KB, 1.08 MB, 1.52 MB.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} $(wasm_release_rustflags)"
cargo build --quiet --profile sandbox-wasm --target wasm32-unknown-unknown -p cyzen-senselink-sandbox-wasm
log "wasm-bindgen --target web (sandbox)"
wasm-bindgen --target web --weak-refs --out-dir "$stage" --out-name cyzen_senselink_sandbox \
  "$target_dir/wasm32-unknown-unknown/sandbox-wasm/cyzen_senselink_sandbox_wasm.wasm"
log "wasm-opt -Oz (sandbox)"
optimize_wasm "$stage/cyzen_senselink_sandbox_bg.wasm"

log "TypeScript wrapper (sandbox)"
cp -r sandbox/npm/src sandbox/npm/tsconfig.json "$stage/"
node_modules/.bin/tsc -p "$stage/tsconfig.json"
rm -rf "$stage/src" "$stage/tsconfig.json" "$stage/dist/wasm-module.d.ts" "$stage/dist/wasm-module.js"

# One shared chunk plus thin entries (loaders, bin, server, Worker module); the glue and the
# `.wasm` stay separate files for bundlers, Node and workerd. Declarations are tsc's, untouched.
log "esbuild: minify the glue, bundle the wrapper (sandbox)"
node_modules/.bin/esbuild "$stage/cyzen_senselink_sandbox.js" --minify --format=esm --target=es2022 --log-level=warning \
  --line-limit=160 --outfile="$stage/cyzen_senselink_sandbox.js" --allow-overwrite \
  --log-override:duplicate-object-key=silent '--banner:js=/* @ts-self-types="./cyzen_senselink_sandbox.d.ts" */'
while IFS= read -r file; do
  node_modules/.bin/esbuild "$file" --minify --format=esm --target=es2022 --log-level=warning --outfile="$file" --allow-overwrite
done < <(find "$stage/snippets" -name '*.js')
entries=()
for entry in node browser workerd worker server bin; do entries+=("$stage/dist/$entry.js"); done
node_modules/.bin/esbuild "${entries[@]}" --bundle --splitting --format=esm --target=es2022 --minify --log-level=warning \
  --line-limit=160 --chunk-names=[name]-[hash] --outdir="$stage/bundle" \
  --external:../cyzen_senselink_sandbox.js --external:../cyzen_senselink_sandbox_bg.wasm '--external:node:*'
find "$stage/dist" -name '*.js' -delete
mv "$stage/bundle"/*.js "$stage/dist/"
rmdir "$stage/bundle"
chmod +x "$stage/dist/bin.js"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' sandbox/Cargo.toml | head -n 1)
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("sandbox/npm/package.json", "utf8"));
  pkg.version = process.argv[1];
  fs.writeFileSync(process.argv[2] + "/package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$version" "$stage"
cp sandbox/npm/README.md "$stage/README.md"
cp LICENSE-MIT LICENSE-APACHE "$stage/"
mv "$stage" "$out"
log "$out/ ready: $(du -sh "$out" | cut -f1)"
