#!/usr/bin/env bash
# `npm test`: installs what it needs, checks (generated API, lint, types), builds the operator and
# the control plane binaries, the gitops-health tool and helm (cached outside git), then runs the unit and integration tests, and the
# integration smoke tests once more on the oldest Kubernetes minor the README claims (1.34).
# Arguments go to vitest and skip that second pass (e.g. `npm test -- test/unit`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
PATH="$PWD/node_modules/.bin:$PATH"
echo "==> node $(node --version)"
node scripts/sync-descriptions.ts --check   # the CRDs' field descriptions are the README's field tables
node scripts/generate-api.ts --check
node scripts/sync-chart.ts --check   # the Helm chart's copy of crds/ and its version
eslint .
tsc -p tsconfig.json --noEmit
tsc -p tsconfig.build.json
bash test/controlplane/build.sh >/dev/null
bash test/gitops-health/build.sh >/dev/null
bash test/helm/build.sh >/dev/null   # helm for the chart tests (cached like the control plane)
if [ $# -gt 0 ]; then exec vitest run "$@"; fi
vitest run
echo "==> integration smoke tests on Kubernetes 1.34 (test/controlplane-1.34)"
export DATAHUB_CONTROLPLANE_MODULE=test/controlplane-1.34
bash test/controlplane/build.sh >/dev/null
exec vitest run --project integration test/integration/kubernetes-version.test.ts test/integration/controlplane.test.ts test/integration/invalid-specs.test.ts test/integration/acc-lifecycle.test.ts
