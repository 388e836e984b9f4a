#!/usr/bin/env bash
# `npm test`: installs what it needs, checks (generated API, lint, types), builds the operator, the
# control plane binaries and the gitops-health tool (cached outside git), then runs the unit and
# integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
PATH="$PWD/node_modules/.bin:$PATH"
echo "==> node $(node --version)"
node scripts/generate-api.ts --check
eslint .
tsc -p tsconfig.json --noEmit
tsc -p tsconfig.build.json
bash test/controlplane/build.sh >/dev/null
bash test/gitops-health/build.sh >/dev/null
exec vitest run "$@"
