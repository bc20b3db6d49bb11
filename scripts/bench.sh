#!/usr/bin/env bash
# `make bench`: builds the package and the sandbox, then runs bench/run.mjs (results in bench/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_npm_deps
scripts/build-package.sh
cargo build --release --quiet -p cyzen-senselink-sandbox
node bench/run.mjs
