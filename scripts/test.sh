#!/usr/bin/env bash
# `npm test`: installs what it needs, checks (generated API, lint, types), builds the operator and
# the control plane binaries (cached outside git), then runs the unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
PATH="$PWD/node_modules/.bin:$PATH"
echo "==> node $(node --version)"
node scripts/generate-api.ts --check
node scripts/sync-chart.ts --check   # the Helm chart's copy of crds/ and its version
eslint .
tsc -p tsconfig.json --noEmit
tsc -p tsconfig.build.json
bash test/controlplane/build.sh >/dev/null
bash test/helm/build.sh >/dev/null   # helm for the chart tests (cached like the control plane)
exec vitest run "$@"
