#!/usr/bin/env bash
# Builds the gitops-health test tool (Argo CD's resource health code and kstatus, from Go modules)
# into a cache directory outside git, keyed by go.mod + go.sum + main.go + build.sh, and prints that
# directory. Rebuilds only when the key changes (or the binary is missing). Used by scripts/test.sh
# and the tests (test/unit/argocd-health.test.ts, test/integration/*gitops-health*).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
key=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" "$here/build.sh" | sha256sum | cut -c1-16)
cache_root=${DATAHUB_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datahub-operator}
out="$cache_root/gitops-health/$key"

if [ -x "$out/gitops-health" ]; then echo "$out"; exit 0; fi

log() { echo "[gitops-health] $*" >&2; }
mkdir -p "$out"
start=$(date +%s)
log "building Argo CD's and kstatus' health code into $out (first time: a few minutes)"
cd "$here"
# Built under a private name and renamed: a concurrent build or a reader never sees half a binary.
tmp="$out/gitops-health.tmp.$$"
trap 'rm -f "$tmp"' EXIT
go build -trimpath -ldflags "-s -w" -o "$tmp" .
mv -f "$tmp" "$out/gitops-health"
log "done in $(( $(date +%s) - start ))s"
echo "$out"
