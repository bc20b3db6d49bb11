#!/usr/bin/env bash
# `make bench-size`: what each part of the package costs to ship, and what the toolchain could
# still take off. Builds the wasm with a subset of the crate's features (Cargo.toml: one per part of
# the JavaScript API) plus the wrapper modules that part needs, bundled into one minified module
# with the glue, and writes bench/size-variants.md. The package itself ships every part; these
# builds are measurements, never shipped.
#
# Two rows use the standard library rebuilt with `-Cpanic=immediate-abort` (no panic messages or
# locations, no formatting for them). That needs unstable cargo and rustc flags: this script
# unlocks them on the stable toolchain with RUSTC_BOOTSTRAP=1, for measuring only, and skips those
# rows when the toolchain's `rust-src` component cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_wasm_tools
ensure_npm_deps

work=target/bench-size
rm -rf "$work/variants"
mkdir -p "$work/variants"

rustflags="$(wasm_release_rustflags)"
have_rust_src=false
if rustup component list --installed 2>/dev/null | grep -q '^rust-src' || rustup component add rust-src >/dev/null 2>&1; then
  have_rust_src=true
fi

rows=()
# variant <name> <label> <cargo features ("" for none)> <wrapper modules, comma-separated> [std]
variant() {
  local name=$1 label=$2 features=$3 modules=$4 std=${5:-}
  local dir=$work/variants/$name cargo_args=(--release --target wasm32-unknown-unknown --lib --no-default-features)
  local target_dir=$work/cargo flags=$rustflags env=()
  [ -n "$features" ] && cargo_args+=(--features "$features")
  if [ "$std" = std ]; then
    $have_rust_src || { log "skipping $name: no rust-src"; return; }
    target_dir=$work/cargo-std
    cargo_args+=(-Zbuild-std=std,panic_abort)
    flags+=" -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
    env=(RUSTC_BOOTSTRAP=1)
  fi
  log "variant $name: features [${features:-none}]${std:+, std rebuilt}"
  env "${env[@]}" CARGO_TARGET_DIR="$target_dir" CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags" \
    cargo build --quiet "${cargo_args[@]}"
  mkdir -p "$dir"
  run_wasm_bindgen "$target_dir/wasm32-unknown-unknown/release/cyzen_senselink.wasm" "$dir"
  optimize_wasm "$dir/cyzen_senselink_bg.wasm"
  # The wrapper modules of this part, behind the browser loader, bundled with the glue into one
  # minified module (what a bundler would ship for an app that imports only this part).
  # (esbuild reads the TypeScript sources directly: it strips the types, as tsc would.)
  cp -r pkg-template/src "$dir/src"
  {
    echo 'import init from "../cyzen_senselink.js";'
    echo 'import { afterInit } from "./instance.js";'
    echo 'await init({ module_or_path: new URL("../cyzen_senselink_bg.wasm", import.meta.url) });'
    echo 'afterInit();'
    echo 'export * from "./errors.js";'
    local module
    IFS=, read -ra list <<<"$modules"
    for module in "${list[@]}"; do echo "export * from \"./$module.js\";"; done
  } >"$dir/src/entry.ts"
  node_modules/.bin/esbuild "$dir/src/entry.ts" --bundle --minify --format=esm --target=es2022 --log-level=error \
    --external:*.wasm --outfile="$dir/bundle.js"
  rows+=("$(node -e '
    const { readFileSync } = require("fs"); const { gzipSync } = require("zlib");
    const [wasmFile, jsFile, label, features] = process.argv.slice(1);
    const kb = (n) => (n / 1024).toFixed(1);
    const gz = (b) => gzipSync(b, { level: 9 }).length;
    const wasm = readFileSync(wasmFile), js = readFileSync(jsFile);
    console.log(`| ${label} | ${features} | ${kb(wasm.length)} | **${kb(gz(wasm))}** | ${kb(js.length)} | **${kb(gz(js))}** | **${kb(gz(wasm) + gz(js))}** |`);
  ' "$dir/cyzen_senselink_bg.wasm" "$dir/bundle.js" "$label" "${features:-none}")")
}

variant all "everything (as shipped)" "cyzen,senselink,proxies,coordinator,import,events" api
variant senselink "SenseLink client" "senselink,events" senselink
variant senselink-server "SenseLink client + proxy, importer, Access" "senselink,events,proxies,import" "senselink,senselink-proxy,senselink-import,access,node-adapter"
variant cyzen "cyzen client (OAuth included)" "cyzen" cyzen
variant cyzen-server "cyzen client + proxy, coordinator, Access" "cyzen,proxies,coordinator" "cyzen,cyzen-proxy,coordinator,access,node-adapter"
variant floor "floor: loader, errors, senselinkSign, task runtime" "" instance
variant all-std "everything, std rebuilt with immediate-abort" "cyzen,senselink,proxies,coordinator,import,events" api std
variant senselink-std "SenseLink client, std rebuilt with immediate-abort" "senselink,events" senselink std

{
  echo "Measured $(date -u +%Y-%m-%d) by \`make bench-size\` (scripts/bench-size.sh). KB = 1024 bytes; gzip level 9."
  echo "JS is one minified bundle of the glue and the wrapper modules the part needs (a bundler's view; the package"
  echo "itself ships per-file modules, which \`make bench\` measures). Budget: ≤ 45 KB gzip shipped."
  echo
  echo "| build | cargo features | wasm KB | wasm gzip | JS KB | JS gzip | total gzip |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  if ! $have_rust_src; then
    echo
    echo "The two rows with the standard library rebuilt are missing: rust-src could not be installed."
  fi
} >bench/size-variants.md
cat bench/size-variants.md
