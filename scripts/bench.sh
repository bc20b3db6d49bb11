#!/usr/bin/env bash
# `make bench`: builds the sandbox and the package (into target/bench/pkg), makes a name-keeping
# copy of the wasm for the size breakdown (twiggy), then runs bench/run.mjs (results in
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

# The shipped wasm has no names, so twiggy could not tell its functions apart: rebuild it from the
# same cargo output with names kept (`--keep-debug`, `wasm-opt -g`) and otherwise the package's
# flags, and save twiggy's item list for bench/run.mjs. (No `--converge`: those extra passes change
# the size by well under 1 %; bench/run.mjs prints both sizes.)
breakdown=target/bench/breakdown
rm -rf "$breakdown"
if ensure_twiggy; then
  log "name-keeping wasm build for the size breakdown"
  mkdir -p "$breakdown"
  wasm-bindgen --target web --weak-refs --keep-debug --out-dir "$breakdown" --out-name cyzen_senselink \
    "$bench_cargo/wasm32-unknown-unknown/release/cyzen_senselink.wasm"
  node_modules/.bin/wasm-opt -Oz -g --strip-producers --strip-target-features "${WASM_OPT_FEATURES[@]}" \
    "$breakdown/cyzen_senselink_bg.wasm" -o "$breakdown/named.wasm"
  twiggy top -n 100000 -f json "$breakdown/named.wasm" >"$breakdown/twiggy-top.json" ||
    { log "twiggy could not read the wasm: the size breakdown is skipped"; rm -f "$breakdown/twiggy-top.json"; }
else
  log "twiggy could not be installed: the wasm size breakdown is skipped"
fi

# --expose-gc: the per-call rounds collect garbage between variants.
BENCH_PKG=$bench_pkg node --expose-gc bench/run.mjs

# The emulator package (cyzen-senselink-sandbox): in-process answer times against a loopback round
# trip to the binary, install size, cold start of createSandbox() (table in target/bench/sandbox.md).
CARGO_TARGET_DIR=$bench_cargo PKG_SANDBOX_OUT=target/bench/pkg-sandbox scripts/build-sandbox-package.sh
BENCH_PKG=$bench_pkg BENCH_SANDBOX_PKG=target/bench/pkg-sandbox node bench/sandbox.mjs
