# Shared helpers for the project's scripts: each `ensure_*` installs what is missing, so `make test`
# and `make demo` work on a fresh machine. Source it; don't run it.

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_lock_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_bindgen() {
  local want have
  want=$(wasm_bindgen_lock_version)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (found: ${have:-none}); takes ~2 minutes"
    # Not --locked: one of its locked dependency versions is missing from the registry.
    cargo install wasm-bindgen-cli --version "$want" --no-default-features --force
  fi
}

# wasm-pack, for the commands a Rust user runs on the crate (docs/wasm-pack.md); it uses the
# wasm-bindgen above (same version as Cargo.lock) and downloads nothing (wasm-opt is off in Cargo.toml).
WASM_PACK_VERSION=0.15.1
ensure_wasm_pack() {
  if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}' || true)" != "$WASM_PACK_VERSION" ]; then
    log "installing wasm-pack $WASM_PACK_VERSION (compiles from source; ~3.5 minutes on 2 cores)"
    cargo install wasm-pack --locked --version "$WASM_PACK_VERSION"
  fi
}

ensure_rustfmt() {
  cargo fmt --version >/dev/null 2>&1 || { log "installing rustfmt"; rustup component add rustfmt; }
}

ensure_clippy() {
  cargo clippy --version >/dev/null 2>&1 || { log "installing clippy"; rustup component add clippy; }
}

ensure_wasm_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
}

ensure_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing Debian's chromium and chromium-driver"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

# The shipped wasm's build settings, shared by `make package`, `make bench` and `make bench-size`.
# rustc flags: sha2's compact SHA-256 rounds (PKCE and cookie MACs hash a few hundred bytes per
# sign-in or request; the unrolled ones are 6 KB larger), and the checkout's and the registry's
# paths shortened in panic locations; and the module's `target_features` section written without
# `multivalue` (the linker would list it because the prebuilt standard library was compiled with
# it). wasm-bindgen reads that section: with `multivalue` listed it turns every export that returns
# a string or a `Result` into a multi-value function, and V8 (Node 20) compiles a wrapper for each
# such export when the module is compiled. Measured: compiling the package's wasm took 6.6 ms with
# them (14 such exports) and 3.9 ms without (`make bench` shows the cold start). Those exports then
# return through wasm-bindgen's return pointer, its long-standing default. The features listed are
# rustc's defaults for wasm32-unknown-unknown minus `multivalue`; `--no-check-features` lets the
# linker write that list although the standard library's objects declare `multivalue` (every
# runtime the package supports runs multi-value code; the section is metadata for tools).
wasm_release_rustflags() {
  local flags=(--cfg 'sha2_backend_soft="compact"'
    -Clink-arg=--no-check-features
    -Clink-arg=--features=bulk-memory,bulk-memory-opt,call-indirect-overlong,mutable-globals,nontrapping-fptoint,reference-types,sign-ext) prefix
  for prefix in "$PWD" "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*; do
    # Cargo splits these flags on spaces.
    [[ "$prefix" == *" "* ]] || flags+=("--remap-path-prefix=$prefix/=")
  done
  echo "${flags[*]}"
}
# The shipped wasm is built with a pinned nightly: the `no_std` core (src/lib.rs) and `alloc` are
# rebuilt with `-Cpanic=immediate-abort`, so no panic message, location or the formatting that
# builds them is left in the module (measured: −6.0 KB gzip on the SenseLink wasm, −6.3 KB on the
# cyzen wasm; `make bench` shows it). Stable builds and tests everything else; when the pinned
# nightly cannot be installed, the package is built on stable (the same code, a few KB larger)
# and the build says so.
WASM_NIGHTLY=nightly-2026-05-20
ensure_wasm_nightly() {
  if ! rustup run "$WASM_NIGHTLY" rustc --version >/dev/null 2>&1 ||
    ! rustup component list --toolchain "$WASM_NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src' ||
    ! rustup target list --toolchain "$WASM_NIGHTLY" --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "installing the pinned $WASM_NIGHTLY (rust-src, wasm32) for the shipped wasm; ~20 s"
    rustup toolchain install "$WASM_NIGHTLY" --profile minimal -c rust-src -t wasm32-unknown-unknown >/dev/null 2>&1 || return 1
  fi
}

# cargo_build_wasm <cargo features>: the release wasm of those features as the package ships it,
# at $target_dir/wasm32-unknown-unknown/release/cyzen_senselink.wasm. Pinned nightly with the
# standard library rebuilt (above), else stable.
cargo_build_wasm() {
  local flags
  flags="$(wasm_release_rustflags)"
  if ${WASM_STABLE_ONLY:-false} || ! ensure_wasm_nightly; then
    ${WASM_STABLE_ONLY:-false} || log "the pinned $WASM_NIGHTLY could not be installed: building the wasm on stable (a few KB larger)"
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} $flags" \
      cargo build --quiet --release --target wasm32-unknown-unknown --lib --no-default-features --features "$1"
  else
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:-} $flags -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
      cargo "+$WASM_NIGHTLY" build --quiet --release --target wasm32-unknown-unknown --lib --no-default-features --features "$1" \
      -Zbuild-std=core,alloc
  fi
}

# wasm-bindgen as the package runs it: `--target web` (one glue for every runtime), weak refs, and
# the reset function (trap recovery). run_wasm_bindgen <cargo's .wasm> <output directory> [name].
run_wasm_bindgen() {
  wasm-bindgen --target web --weak-refs --experimental-reset-state-function --out-dir "$2" --out-name "${3:-cyzen_senselink}" "$1"
}
# The wasm features wasm-opt may use: every runtime the package targets has them.
WASM_OPT_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-reference-types --enable-multivalue)
# wasm-opt -Oz on $1 in place. --converge repeats -Oz while it still shrinks the module; the
# producers and target-features custom sections are build metadata no runtime reads.
optimize_wasm() {
  node_modules/.bin/wasm-opt -Oz --converge --strip-producers --strip-target-features "${WASM_OPT_FEATURES[@]}" "$1" -o "$1.opt"
  mv "$1.opt" "$1"
}

ensure_npm_deps() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm dev packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}
