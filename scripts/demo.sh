#!/usr/bin/env bash
# `make demo`: builds the package and serves the demo page from www/ on 127.0.0.1 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_npm_deps
scripts/build-package.sh

site=target/demo-site
rm -rf "$site" && mkdir -p "$site"
cp -r www "$site/www"
cp -r pkg "$site/pkg"
port=${DEMO_PORT:-8080}
node tests/support/echo-server.mjs --port "$port" --static "$site" > target/demo-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; log "stopped"' EXIT INT TERM
for _ in $(seq 50); do grep -q "listening on" target/demo-server.log && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' target/demo-server.log | head -n 1)
[ -n "$url" ] || { cat target/demo-server.log; exit 1; }
log "demo page: $url/www/   (Ctrl-C stops)"
wait $server
