#!/usr/bin/env bash
# `npm run demo`: installs and builds what it needs, then runs scripts/demo.ts on Node.js 24.
# Pass --once to exit right after printing the Secret. package.json starts this script with `exec`
# and it execs node, so the demo is npm's own child and gets the SIGINT/SIGTERM npm forwards.
set -euo pipefail
cd "$(dirname "$0")/.."
# Until that exec, a stop request (Ctrl-C, SIGTERM) also ends the install or build step it interrupts
# (bash does not pass signals on to the command it waits for) and, as later, counts as a normal stop.
child=""
stop() { if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; wait "$child" || true; fi; exit 0; }
trap stop INT TERM HUP
run() { "$@" & child=$!; local rc=0; wait "$child" || rc=$?; child=""; return "$rc"; }
run bash scripts/ensure-deps.sh
echo "==> building the operator" >&2
run ./node_modules/.bin/tsc -p tsconfig.build.json
trap - INT TERM HUP
exec ./node_modules/.bin/node scripts/demo.ts "$@"
