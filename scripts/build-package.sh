#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm → wasm-bindgen (web target) → wasm-opt -Oz (npm
# binaryen) → TypeScript wrapper and loaders → package.json with the crate's version.
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
cargo build --quiet --release --target wasm32-unknown-unknown --lib
log "wasm-bindgen --target web"
wasm-bindgen --target web --weak-refs --out-dir "$stage" --out-name cyzen_senselink \
  "$target_dir/wasm32-unknown-unknown/release/cyzen_senselink.wasm"
log "wasm-opt -Oz"
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$stage/cyzen_senselink_bg.wasm" -o "$stage/cyzen_senselink_bg.opt.wasm"
mv "$stage/cyzen_senselink_bg.opt.wasm" "$stage/cyzen_senselink_bg.wasm"

log "TypeScript wrapper"
cp -r pkg-template/src pkg-template/tsconfig.json "$stage/"
node_modules/.bin/tsc -p "$stage/tsconfig.json"
rm -rf "$stage/src" "$stage/tsconfig.json"
# The `.wasm` ambient declaration is only needed to compile; keep it out of the package.
rm -f "$stage/dist/wasm-module.d.ts" "$stage/dist/wasm-module.js"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("pkg-template/package.json", "utf8"));
  pkg.version = process.argv[1];
  fs.writeFileSync(process.argv[2] + "/package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$version" "$stage"
cp pkg-template/README.md "$stage/README.md"
mv "$stage" "$out"
log "$out/ ready: $(du -sh "$out" | cut -f1)"
