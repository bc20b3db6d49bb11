#!/usr/bin/env bash
# Every test tier; `scripts/test.sh native|wasm|package|e2e|admin|all`. Exits non-zero on any failure, and
# treats a runner that reports zero passed tests as a failure (a headless run can silently run none).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
tier=${1:-all}
mkdir -p test-output

native() {
  log "tier 1: native cargo test (core + sandbox)"
  # One package per invocation: features are unified across the packages of one build, and the
  # sandbox's serde_json features must not leak into the library under test.
  { cargo test -p cyzen-senselink --color never 2>&1 && cargo test -p cyzen-senselink-sandbox --color never 2>&1; } \
    | tee test-output/native.log
  require_passed test-output/native.log "native cargo test"
  # The library's Rust is rustfmt-formatted (rustfmt.toml).
  ensure_rustfmt
  log "cargo fmt --check (the library)"
  cargo fmt -p cyzen-senselink --check
  # The lints that keep caller and server text away from panics (src/lib.rs), on the wasm build.
  ensure_clippy
  ensure_wasm_target
  log "clippy (wasm32, warnings are errors)"
  cargo clippy --quiet --color never --target wasm32-unknown-unknown --lib -- -D warnings
  # Each wasm module as the package builds it (`no_std`, without the `std` feature).
  local module
  for module in $(node scripts/entries.mjs modules); do
    cargo clippy --quiet --color never --target wasm32-unknown-unknown --lib --no-default-features \
      --features "$(node scripts/entries.mjs features "$module")" -- -D warnings
  done
  # Every parser of caller or server text under libFuzzer for a bounded time (FUZZ_SECONDS, default
  # 60 in all), after replaying the seeds and every input that ever crashed (fuzz/regressions/).
  log "fuzz: replay seeds and regressions, then ${FUZZ_SECONDS:-60} s of fuzzing"
  cargo test --color never --manifest-path fuzz/Cargo.toml 2>&1 | tee test-output/fuzz-replay.log
  require_passed test-output/fuzz-replay.log "fuzz replay"
  fuzz/run.sh 2>&1 | tee test-output/fuzz.log
}

# Fails unless every "test result:" line is ok and at least one test passed in total.
require_passed() {
  local file=$1 what=$2 total
  if grep -q "test result: FAILED" "$file"; then echo "$what: failures" >&2; return 1; fi
  total=$(grep -o "test result: ok. [0-9]* passed" "$file" | awk '{s += $4} END {print s + 0}')
  if [ "$total" -eq 0 ]; then echo "$what ran 0 tests" >&2; return 1; fi
  log "$what: $total passed"
}

wasm() {
  ensure_wasm_tools
  ensure_wasm_pack
  ensure_chromium
  log "tier 2: the wasm core (wasm-bindgen-test) in Node and a Chromium page (wasm-pack), and a Chromium dedicated worker"
  # The commands a Rust user runs (docs/wasm-pack.md): the build must produce the module, and the
  # same wasm-bindgen-test tests run through wasm-pack. The browser run needs
  # WASM_BINDGEN_USE_BROWSER=1 (the tests are not marked run_in_browser): without it wasm-pack
  # would report 0 tests, which require_passed refuses.
  log "wasm-pack build --target web"
  wasm-pack build --target web --out-dir target/wasm-pack 2>&1 | tee test-output/wasm-pack-build.log
  [ -s target/wasm-pack/cyzen_senselink_bg.wasm ] && [ -s target/wasm-pack/cyzen_senselink.js ] ||
    { echo "wasm-pack build produced no module" >&2; return 1; }
  log "wasm tests in node (wasm-pack test --node)"
  wasm-pack test --node 2>&1 | tee test-output/wasm-node.log
  require_passed test-output/wasm-node.log "wasm tests in node"
  log "wasm tests in browser (wasm-pack test --headless --chrome)"
  WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome 2>&1 | tee test-output/wasm-browser.log
  require_passed test-output/wasm-browser.log "wasm tests in browser"
  log "wasm tests in a dedicated worker (cargo test with wasm-bindgen-test-runner)"
  WASM_BINDGEN_USE_DEDICATED_WORKER=1 cargo test --color never --target wasm32-unknown-unknown --lib 2>&1 | tee test-output/wasm-worker.log
  require_passed test-output/wasm-worker.log "wasm tests in worker"
}

package() {
  ensure_chromium
  scripts/build-package.sh
  scripts/build-sandbox-package.sh
  log "tier 3: the packed package in Node, a plain-ESM page, a Vite build and a Worker (workerd)"
  node tests/package/run.mjs 2>&1 | tee test-output/package.log
  log "the packed package in Node, Deno and Bun: network failures leave no credential in an error's cause"
  node tests/runtimes/run.mjs 2>&1 | tee test-output/runtimes.log
  [ -x target/release/sandbox ] || cargo build --release --quiet -p cyzen-senselink-sandbox
  log "tier 3: the emulator package: both tarballs installed offline, the READMEs' Vitest files, its bin against the binary"
  node tests/package/sandbox.mjs 2>&1 | tee test-output/package-sandbox.log
}

e2e() {
  ensure_chromium
  [ -f pkg/dist/node.js ] || scripts/build-package.sh
  cargo build --release --quiet -p cyzen-senselink-sandbox
  log "tier 4: end to end against the sandbox, in Node, Chromium and workerd"
  node tests/e2e/run.mjs 2>&1 | tee test-output/e2e.log
  # The same emulator through the npm package's front-ends: every suite in-process in Node; the
  # contract suites (signature, multipart, timestamp window, OAuth, pacing window, transport faults)
  # in-process in workerd and against the package's bin in every runtime.
  [ -f pkg-sandbox/dist/node.js ] || scripts/build-sandbox-package.sh
  local contract=senselink,senselink_errors,cyzen-oauth,cyzen-pacing,transport
  log "tier 4: every suite against createSandbox().fetch in Node (in-process)"
  node tests/e2e/run.mjs --front-end in-process --runtimes node 2>&1 | tee test-output/e2e-in-process.log
  log "tier 4: the contract suites in-process in workerd, and against the npm bin in Node, Chromium and workerd"
  node tests/e2e/run.mjs --front-end in-process --runtimes workerd --suites "$contract" 2>&1 | tee test-output/e2e-in-process-workerd.log
  node tests/e2e/run.mjs --front-end bin --suites "$contract" 2>&1 | tee test-output/e2e-bin.log
}

admin() {
  ensure_chromium
  # A Japanese font, so the screenshots show the page's Japanese text (best effort).
  if ! fc-list 2>/dev/null | grep -qiE "ipagothic|noto sans cjk|ipaexgothic"; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-ipafont-gothic >/dev/null 2>&1 ||
      { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-ipafont-gothic >/dev/null 2>&1; } ||
      log "no Japanese font installed: Japanese text in the screenshots will show as boxes"
  fi
  local pkg=${PKG_DIR:-pkg}
  [ -f "$pkg/dist/node.js" ] || PKG_OUT=$pkg scripts/build-package.sh
  [ -n "${SANDBOX_BIN:-}" ] || cargo build --release --quiet -p cyzen-senselink-sandbox
  log "tier 5: the admin page and its Worker (wrangler dev, workerd) in Chromium, against the sandbox"
  node tests/admin/run.mjs 2>&1 | tee test-output/admin.log
}

case "$tier" in
  native) native ;;
  wasm) wasm ;;
  package) package ;;
  e2e) e2e ;;
  admin) admin ;;
  all) native; wasm; package; e2e; admin ;;
  *) echo "usage: $0 native|wasm|package|e2e|admin|all" >&2; exit 2 ;;
esac
log "tests passed ($tier)"
