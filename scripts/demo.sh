#!/usr/bin/env bash
# `npm run demo`: installs and builds what it needs, then runs scripts/demo.ts on Node.js 24.
# Pass --once to exit right after printing the Secret.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "==> building the operator" >&2
./node_modules/.bin/tsc -p tsconfig.build.json
exec ./node_modules/.bin/node scripts/demo.ts "$@"
