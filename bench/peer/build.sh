#!/usr/bin/env bash
# Builds Crossplane's provider-http (the benchmark peer of bench/peer-scenario.ts) from this Go module
# into a cache directory outside git, keyed by go.mod + go.sum + this script, with its CRDs copied
# from the module next to the binary, and prints that directory. Rebuilds only when the key changes
# (or a file is missing). Same cache root as test/controlplane/build.sh. Nothing here is shipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
module=github.com/crossplane-contrib/provider-http
version=$(awk -v m="$module" '$1==m {print $2; exit}' "$here/go.mod")
key=$(cat "$here/go.mod" "$here/go.sum" "$here/build.sh" | sha256sum | cut -c1-16)
cache_root=${DATAHUB_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datahub-operator}
out="$cache_root/provider-http/$version-$key"

if [ -x "$out/provider" ] && [ -n "$(ls "$out/crds" 2>/dev/null)" ]; then echo "$out"; exit 0; fi

log() { echo "[provider-http] $*" >&2; }
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
start=$(date +%s)
log "building $module $version into $out (first time: about 4 minutes on 2 cores)"
cd "$here"
go mod download "$module"
# Upstream's release images are static (CGO_ENABLED=0) too; -s -w only drops symbols, which are
# never paged in, so the figures do not depend on it.
go build -trimpath -ldflags "-s -w" -o "$out.tmp/provider" "$module/cmd/provider"
# The CRDs exactly as the module ships them (upstream's `make run` applies the same directory).
cp -r "$(go list -m -f '{{.Dir}}' "$module")/package/crds" "$out.tmp/crds"
chmod -R u+w "$out.tmp/crds"
rm -rf "$out" && mv "$out.tmp" "$out"
log "done in $(( $(date +%s) - start ))s ($(du -m "$out/provider" | cut -f1) MiB binary)"
echo "$out"
