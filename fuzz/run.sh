#!/usr/bin/env bash
# Runs every fuzz target under libFuzzer for a bounded total time, and exits non-zero when any of
# them crashes (a panic, an overflow, a failed property check), hangs (an input taking more than
# FUZZ_INPUT_TIMEOUT seconds) or runs out of memory. Needs only the stable toolchain and a C++
# compiler (libfuzzer-sys builds libFuzzer): no cargo-fuzz, no sanitizer, no nightly.
#
#   fuzz/run.sh                     every target, 60 s in all
#   FUZZ_SECONDS=600 fuzz/run.sh    longer
#   fuzz/run.sh dates proxies       some targets only (names: fuzz/fuzz_targets/*.rs)
#
# Environment:
#   FUZZ_SECONDS        total fuzzing time in seconds, shared by the targets (default 60; at least
#                       1 s per target)
#   FUZZ_JOBS           targets fuzzed at the same time (default: 2, or 1 on a one-core machine)
#   FUZZ_INPUT_TIMEOUT  seconds one input may take before it counts as a hang (default 10)
#   FUZZ_TARGET_DIR     cargo target directory (default fuzz/target)
#
# Each target starts from its committed seeds (fuzz/corpus/<target>/, never written) and from what
# earlier runs on this machine found (<target dir>/fuzz-corpus/<target>/). A crash leaves its input
# in fuzz/artifacts/<target>/; this script prints it, decoded, with the panic message and the
# command that replays it. The build is not counted in FUZZ_SECONDS.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
total=${FUZZ_SECONDS:-60}
input_timeout=${FUZZ_INPUT_TIMEOUT:-10}
cores=$(nproc 2>/dev/null || echo 1)
jobs=${FUZZ_JOBS:-$((cores > 1 ? 2 : 1))}
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$here/target}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for file in "$here"/fuzz_targets/*.rs; do
    name=$(basename "$file" .rs)
    targets+=("$name")
  done
fi
for target in "${targets[@]}"; do
  [ -f "$here/fuzz_targets/$target.rs" ] || { echo "fuzz: no target named $target (see $here/fuzz_targets/)" >&2; exit 2; }
done

log() { echo "[fuzz] $*" >&2; }

triple=$(rustc -vV | sed -n 's/^host: //p')
# What `cargo fuzz build --sanitizer none --debug-assertions` passes, minus its single codegen unit
# (a faster build for short runs). `--target` keeps these flags away from build scripts.
flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-simplifycfg-branch-fold-threshold=0"
flags+=" --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
case "$triple" in *-linux-*) flags+=" -Cllvm-args=-sanitizer-coverage-stack-depth" ;; esac

log "building ${#targets[@]} target(s) for $triple"
bins=()
for target in "${targets[@]}"; do bins+=(--bin "$target"); done
RUSTFLAGS="$flags ${RUSTFLAGS:-}" cargo build --quiet --manifest-path "$here/Cargo.toml" --release --target "$triple" "${bins[@]}"
bin_dir="$CARGO_TARGET_DIR/$triple/release"

# Seconds per target: the total shared by the targets, `jobs` of them at a time.
per=$(( total * jobs / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1
log "${#targets[@]} target(s), $per s each, $jobs at a time (FUZZ_SECONDS=$total)"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

fuzz_one() {
  local target=$1 work="$CARGO_TARGET_DIR/fuzz-corpus/$1" artifacts="$here/artifacts/$1/"
  mkdir -p "$work" "$artifacts"
  local status=0
  "$bin_dir/$target" "$work" "$here/corpus/$target" \
    -max_total_time="$per" -timeout="$input_timeout" -rss_limit_mb=2048 -max_len=8192 \
    -dict="$here/fuzz.dict" -artifact_prefix="$artifacts" -print_final_stats=1 \
    >"$results/$target.log" 2>&1 || status=$?
  echo "$status" >"$results/$target.status"
}

running=0
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

failed=()
for target in "${targets[@]}"; do
  status=$(cat "$results/$target.status" 2>/dev/null || echo 1)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$results/$target.log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$results/$target.log" | tail -1)
  if [ "$status" = 0 ]; then
    log "$target: ok (${runs:-?} inputs, ${cov:-cov: ?})"
    continue
  fi
  failed+=("$target")
  log "$target: FAILED (libFuzzer exit status $status) after ${runs:-?} inputs"
  # libFuzzer's verdict: the panic and its message, or the hang, or the memory limit.
  grep -A2 -E 'panicked at|ERROR: libFuzzer|ALARM:|out-of-memory' "$results/$target.log" | head -12 >&2 || true
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$results/$target.log" | tail -1)
  if [ -n "$artifact" ] && [ -f "$artifact" ]; then
    log "reproducing input: $artifact ($(wc -c <"$artifact") bytes), as hex:"
    od -An -tx1 -v "$artifact" | head -32 >&2
    log "the input as the target decodes it (FUZZ_SHOW=1), then the panic and the top of its stack:"
    FUZZ_SHOW=1 timeout $((input_timeout * 3)) "$bin_dir/$target" "$artifact" 2>&1 |
      grep -vE '^(WARNING:|INFO:|Running:|Executed|MERGE|NOTE:|SUMMARY:|\s+Combine libFuzzer)' |
      awk '/stack backtrace:/ { frames = 1 } frames && ++n > 16 { exit } { print }' | head -150 >&2 || true
    log "replay: $bin_dir/$target $artifact"
    log "    or: cargo fuzz run $target -s none -a $artifact   (from the repository root)"
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  log "FAILED: ${failed[*]}"
  exit 1
fi
log "all ${#targets[@]} target(s) ran $per s without a crash"
