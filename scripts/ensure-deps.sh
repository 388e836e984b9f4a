#!/usr/bin/env bash
# Installs the pinned dependencies (including the Node.js 24 runtime) when node_modules is missing
# or older than package-lock.json. Shared by `npm run demo` and `npm test` on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci (first run: installs the pinned Node.js 24 runtime and dependencies)" >&2
  npm ci --no-audit --no-fund >&2
fi
