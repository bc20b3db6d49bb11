#!/usr/bin/env bash
# `make bench`: builds the sandbox and the package (into target/bench/pkg), makes a name-keeping
# copy of each wasm module for the size breakdown (twiggy), then runs bench/run.mjs (results in
# bench/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_npm_deps
cargo build --release --quiet -p cyzen-senselink-sandbox
# The package is built into a directory of its own (with its own cargo output): other builds in
# this tree (`make package`, `make test`) replace pkg/ and target/pkg-build, and the benchmark runs
# for minutes.
bench_cargo=target/bench/cargo
bench_pkg=target/bench/pkg
CARGO_TARGET_DIR=$bench_cargo PKG_OUT=$bench_pkg scripts/build-package.sh

ensure_twiggy() {
  if ! command -v twiggy >/dev/null; then
    log "installing twiggy (wasm size profiler; compiles from source)"
    cargo install twiggy --locked
  fi
}

# The shipped wasm has no names, so twiggy could not tell its functions apart: for each module of
# scripts/entries.mjs, take cargo's output for its features again (cached: the package build above
# compiled it, with the same toolchain and flags), run wasm-bindgen as the package does (it keeps
# the name section) and wasm-opt with the package's features plus `-g` (names kept), and save
# twiggy's item list for bench/run.mjs. (No `--converge`: those extra passes change the size by
# well under 1 %; bench/run.mjs prints both sizes.)
breakdown=target/bench/breakdown
rm -rf "$breakdown"
if ensure_twiggy; then
  for module in $(node scripts/entries.mjs modules); do
    log "name-keeping build of the \`$module\` wasm for the size breakdown"
    dir=$breakdown/$module
    mkdir -p "$dir"
    CARGO_TARGET_DIR=$bench_cargo cargo_build_wasm "$(node scripts/entries.mjs features "$module")"
    run_wasm_bindgen "$bench_cargo/wasm32-unknown-unknown/release/cyzen_senselink.wasm" "$dir" "$module"
    node_modules/.bin/wasm-opt -Oz -g --strip-producers --strip-target-features "${WASM_OPT_FEATURES[@]}" \
      "$dir/${module}_bg.wasm" -o "$dir/named.wasm"
    twiggy top -n 100000 -f json "$dir/named.wasm" >"$dir/twiggy-top.json" ||
      { log "twiggy could not read the \`$module\` wasm: its size breakdown is skipped"; rm -f "$dir/twiggy-top.json"; }
  done
else
  log "twiggy could not be installed: the wasm size breakdown is skipped"
fi

BENCH_PKG=$bench_pkg node bench/run.mjs

# The emulator package (cyzen-senselink-sandbox): in-process answer times against a loopback round
# trip to the binary, install size, cold start of createSandbox() (table in target/bench/sandbox.md).
CARGO_TARGET_DIR=$bench_cargo PKG_SANDBOX_OUT=target/bench/pkg-sandbox scripts/build-sandbox-package.sh
BENCH_PKG=$bench_pkg BENCH_SANDBOX_PKG=target/bench/pkg-sandbox node bench/sandbox.mjs
