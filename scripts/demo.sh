#!/usr/bin/env bash
# `make demo`: builds the package, starts the local sandbox (SenseLink + cyzen), stages the admin
# Worker (examples/worker) with the page (www/) and runs it in workerd with `wrangler dev` on
# 127.0.0.1, prints the page URL and the sandbox credentials, and stops everything on Ctrl-C.
# Environment variables switch SenseLink and/or cyzen to real endpoints: see docs/demo.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_npm_deps

port=${DEMO_PORT:-8787}
demo_dir=target/demo
mkdir -p "$demo_dir"

# Which service is real: a *_BASE_URL in the environment means "use it, not the sandbox".
real_senselink=${SENSELINK_BASE_URL:+1}
real_cyzen=${CYZEN_BASE_URL:+1}
need() {
  local missing=()
  for name in "$@"; do [ -n "${!name:-}" ] || missing+=("$name"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "demo: with ${1%%_*}_BASE_URL set, also set: ${missing[*]} (see docs/demo.md)" >&2
    exit 2
  fi
}
[ -z "$real_senselink" ] || need SENSELINK_BASE_URL SENSELINK_APP_KEY SENSELINK_APP_SECRET
[ -z "$real_cyzen" ] || need CYZEN_BASE_URL CYZEN_AUTHORIZE_URL CYZEN_TOKEN_URL CYZEN_CLIENT_ID CYZEN_COMPANY_ID

# The package: PKG_DIR uses an already built one as it is; otherwise `make package` into pkg/, unless
# pkg/ is newer than every input of the build (directories count too, so a deleted file rebuilds).
pkg_inputs=(src pkg-template Cargo.toml Cargo.lock scripts/build-package.sh)
if [ -n "${PKG_DIR:-}" ]; then
  pkg=$PKG_DIR
  [ -f "$pkg/dist/browser.js" ] || { echo "demo: PKG_DIR=$pkg holds no built package" >&2; exit 2; }
else
  pkg=pkg
  newer=""
  [ ! -f "$pkg/dist/browser.js" ] || newer=$(find "${pkg_inputs[@]}" -newer "$pkg" -print -quit)
  if [ -f "$pkg/dist/browser.js" ] && [ -z "$newer" ]; then
    log "package build skipped: $pkg/ is newer than src/, pkg-template/, Cargo.toml, Cargo.lock and scripts/build-package.sh"
  else
    if [ -n "$newer" ]; then log "building the package: $newer is newer than $pkg/"
    else log "building the package: $pkg/ holds no built package"; fi
    # pkg/ gets the time the build started, so a file edited while it ran still counts as newer.
    touch "$demo_dir/package-build-started"
    scripts/build-package.sh
    touch -r "$demo_dir/package-build-started" "$pkg"
  fi
fi

pids=()
stop() {
  trap - INT TERM EXIT
  local pid
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  log "stopped"
}
trap 'exit 130' INT TERM
trap stop EXIT

# Waits until FILE has a line matching REGEX (or the process PID ends); prints the first match.
wait_for() {
  local file=$1 regex=$2 pid=$3 what=$4
  for _ in $(seq 600); do
    if grep -qE "$regex" "$file" 2>/dev/null; then grep -oE "$regex" "$file" | head -n 1; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "demo: $what did not start; its log ($file):" >&2
  tail -n 40 "$file" >&2
  return 1
}

# The sandbox, unless both services are real.
sandbox=""
if [ -z "$real_senselink" ] || [ -z "$real_cyzen" ]; then
  sandbox_bin=${SANDBOX_BIN:-target/release/sandbox}
  [ -n "${SANDBOX_BIN:-}" ] || cargo build --release --quiet -p cyzen-senselink-sandbox
  setsid "$sandbox_bin" --port 0 >"$demo_dir/sandbox.log" 2>&1 &
  pids+=($!)
  sandbox=$(wait_for "$demo_dir/sandbox.log" 'http://127\.0\.0\.1:[0-9]+' "${pids[-1]}" "the sandbox")
  cred() { sed -n "s/^$1=//p" "$demo_dir/sandbox.log" | head -n 1; }
fi

# The Worker's settings (.dev.vars, readable by the owner only; never committed: under target/).
session_secret=${SESSION_SECRET:-$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')}
events_key=${SENSELINK_EVENTS_KEY:-$(node -e 'console.log(require("crypto").randomBytes(8).toString("hex"))')}
vars=$demo_dir/dev.vars
: >"$vars"
chmod 600 "$vars"
put() { printf '%s=%s\n' "$1" "$(node -e 'console.log(JSON.stringify(process.argv[1]))' "$2")" >>"$vars"; }
put SESSION_SECRET "$session_secret"
put SENSELINK_EVENTS_KEY "$events_key"
# No Cloudflare Access locally: the Worker's explicit local mode (no caller check, loopback hosts only).
put DEMO_INSECURE_LOCAL 1
if [ -n "$real_senselink" ]; then
  put SENSELINK_BASE_URL "$SENSELINK_BASE_URL"
  put SENSELINK_APP_KEY "$SENSELINK_APP_KEY"
  put SENSELINK_APP_SECRET "$SENSELINK_APP_SECRET"
  put SENSELINK_EDITION "${SENSELINK_EDITION:-cloud}"
  put SENSELINK_AVATAR_URL "${SENSELINK_AVATAR_URL:-}"
else
  put SENSELINK_BASE_URL "$sandbox"
  put SENSELINK_APP_KEY "$(cred senselink.app_key)"
  put SENSELINK_APP_SECRET "$(cred senselink.app_secret)"
  put SENSELINK_EDITION "$(cred senselink.edition)"
  put SENSELINK_AVATAR_URL "$sandbox/static/avatar/{avatar}"
fi
if [ -n "$real_cyzen" ]; then
  for name in CYZEN_BASE_URL CYZEN_AUTHORIZE_URL CYZEN_TOKEN_URL CYZEN_CLIENT_ID CYZEN_CLIENT_SECRET CYZEN_COMPANY_ID \
    CYZEN_APP_TOKEN CYZEN_APP_TOKEN_HEADER CYZEN_SCOPE CYZEN_REDIRECT_URI CYZEN_STATIC_TOKEN; do
    put "$name" "${!name:-}"
  done
else
  put CYZEN_BASE_URL "$(cred cyzen.base_url)"
  put CYZEN_AUTHORIZE_URL "$(cred cyzen.authorize_url)"
  put CYZEN_TOKEN_URL "$(cred cyzen.token_url)"
  put CYZEN_COMPANY_ID "$(cred cyzen.company_id)"
  client_line=$(grep -m1 '^cyzen.client=.* secret=' "$demo_dir/sandbox.log")
  put CYZEN_CLIENT_ID "$(sed 's/^cyzen.client=\([^ ]*\) .*/\1/' <<<"$client_line")"
  put CYZEN_CLIENT_SECRET "$(sed 's/.* secret=//' <<<"$client_line")"
  app_token=$(cred cyzen.app_token)
  put CYZEN_APP_TOKEN_HEADER "${app_token%%=*}"
  put CYZEN_APP_TOKEN "${app_token#*=}"
fi

worker_dir=$demo_dir/worker
node scripts/stage-worker.mjs --pkg "$pkg" --out "$worker_dir" --dev-vars "$vars" >/dev/null
inspector_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log "starting the Worker in workerd (wrangler dev) on 127.0.0.1:$port"
wrangler=$PWD/node_modules/.bin/wrangler
(cd "$worker_dir" && WRANGLER_SEND_METRICS=false CI=1 NO_COLOR=1 exec setsid "$wrangler" dev \
  --ip 127.0.0.1 --port "$port" --inspector-port "$inspector_port" --test-scheduled --persist-to ./state \
  --show-interactive-dev-session=false) >"$demo_dir/worker.log" 2>&1 &
pids+=($!)
worker=$(wait_for "$demo_dir/worker.log" 'Ready on http://[0-9.:]+' "${pids[-1]}" "the Worker (is port $port free? set DEMO_PORT)")
worker=${worker#Ready on }

if [ -n "$sandbox" ]; then
  admin() { curl -fsS -X POST -H 'content-type: application/json' -d "$2" "$sandbox$1" >/dev/null; }
  [ -n "$real_senselink" ] || admin /__admin/senselink/subscription "{\"url\":\"$worker/senselink/events?key=$events_key\"}"
  [ -n "$real_cyzen" ] || admin /__admin/cyzen/config '{"auto_approve":false}'
fi

cat <<EOF

  Admin page:  $worker/
  Worker log:  $demo_dir/worker.log        Scheduled sync now:  curl '$worker/__scheduled?cron=0+*/6+*+*+*'

EOF
if [ -n "$sandbox" ]; then
  cat <<EOF
  Sandbox:     $sandbox   (log: $demo_dir/sandbox.log)
EOF
  [ -n "$real_senselink" ] || cat <<EOF
  SenseLink:   app key $(cred senselink.app_key), secret $(cred senselink.app_secret) (held by the Worker only)
               push an event:  curl -X POST -H 'content-type: application/json' -d '{"eventType":"30000"}' $sandbox/__admin/senselink/push
EOF
  [ -n "$real_cyzen" ] || cat <<EOF
  cyzen:       "Sign in with cyzen" shows the sandbox's consent page: press 承認 / Approve.
               company $(cred cyzen.company_id), client $(sed 's/^cyzen.client=//' <<<"$client_line"),
               app token $(cred cyzen.app_token), static token $(cred cyzen.static_token)
EOF
fi
[ -z "$real_senselink" ] || echo "  SenseLink:   $SENSELINK_BASE_URL (real)"
[ -z "$real_cyzen" ] || echo "  cyzen:       $CYZEN_BASE_URL (real; redirect URI ${CYZEN_REDIRECT_URI:-$worker/cyzen/callback} must be registered)"
echo
log "running; Ctrl-C stops the Worker and the sandbox"
wait "${pids[-1]}"
