#!/usr/bin/env bash
# Builds the real helm CLI (helm.sh/helm/v4, the version pinned in this Go module) into a cache
# directory outside git, keyed by go.mod + go.sum + build.sh, and prints that directory. Rebuilds only
# when the key changes (or the binary is missing). Used by `npm test` and the chart tests. Self-
# contained on purpose: it shares only the cache root with test/controlplane/build.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
helm_version=$(awk '$1=="helm.sh/helm/v4" && $2 ~ /^v/ {print $2; exit}' "$here/go.mod")
key=$(cat "$here/go.mod" "$here/go.sum" "$here/build.sh" | sha256sum | cut -c1-16)
cache_root=${DATAHUB_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datahub-operator}
out="$cache_root/helm/$helm_version-$key"

if [ -x "$out/helm" ]; then echo "$out"; exit 0; fi

log() { echo "[helm] $*" >&2; }
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
start=$(date +%s)
log "building helm $helm_version into $out (first time: about 5-10 minutes on 2 cores, 10 minutes of CPU)"
cd "$here"
go mod download
# The version flags are what Helm's own Makefile sets for a tagged release, so `helm version` and
# the User-Agent name the real version instead of the source default ("v4.3").
pkg=helm.sh/helm/v4/internal/version
go build -trimpath -ldflags "-s -w -X $pkg.version=$helm_version -X $pkg.metadata= -X $pkg.gitTreeState=clean" \
  -o "$out.tmp/helm" helm.sh/helm/v4/cmd/helm
rm -rf "$out" && mv "$out.tmp" "$out"
log "done in $(( $(date +%s) - start ))s"
echo "$out"
