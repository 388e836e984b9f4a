#!/usr/bin/env bash
# Builds the real helm CLI (helm.sh/helm/v4, the version pinned in this Go module) into a cache
# directory outside git, keyed by go.mod + go.sum + build.sh, and prints that directory. Rebuilds only
# when the key changes (or a file is missing). Used by `npm test` and the chart tests. Also puts the
# Prometheus Operator's own ServiceMonitor CRD next to it (from its Go module, hash pinned below), so
# the chart's optional ServiceMonitor is checked against the real schema. Self-contained on purpose:
# it shares only the cache root with test/controlplane/build.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
helm_version=$(awk '$1=="helm.sh/helm/v4" && $2 ~ /^v/ {print $2; exit}' "$here/go.mod")
key=$(cat "$here/go.mod" "$here/go.sum" "$here/build.sh" | sha256sum | cut -c1-16)
cache_root=${DATAHUB_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datahub-operator}
out="$cache_root/helm/$helm_version-$key"
# github.com/prometheus-operator/prometheus-operator: the module whose example/ holds the CRDs.
po_module=github.com/prometheus-operator/prometheus-operator
po_version=v0.85.0
po_sum=h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s=
servicemonitor_crd=crds/monitoring.coreos.com_servicemonitors.yaml

if [ -x "$out/helm" ] && [ -f "$out/$servicemonitor_crd" ]; then echo "$out"; exit 0; fi

log() { echo "[helm] $*" >&2; }
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
start=$(date +%s)
log "building helm $helm_version into $out (first time: about 3-4 minutes on 2 idle cores)"
cd "$here"
go mod download
# The version flags are what Helm's own Makefile sets for a tagged release, so `helm version` and
# the User-Agent name the real version instead of the source default ("v4.3").
pkg=helm.sh/helm/v4/internal/version
go build -trimpath -ldflags "-s -w -X $pkg.version=$helm_version -X $pkg.metadata= -X $pkg.gitTreeState=clean" \
  -o "$out.tmp/helm" helm.sh/helm/v4/cmd/helm
# Outside our module (it is data, not a dependency of helm); the checksum database verifies the
# download and the pinned hash makes it the exact version this key names.
po_json=$(cd "$out.tmp" && GOFLAGS= go mod download -json "$po_module@$po_version")
po_dir=$(echo "$po_json" | awk -F'"' '$2=="Dir" {print $4}')
echo "$po_json" | grep -qF "\"Sum\": \"$po_sum\"" || { log "unexpected checksum for $po_module@$po_version"; exit 1; }
mkdir -p "$out.tmp/crds"
cp "$po_dir/example/prometheus-operator-crd/$(basename "$servicemonitor_crd")" "$out.tmp/$servicemonitor_crd"
chmod 0644 "$out.tmp/$servicemonitor_crd"
rm -rf "$out" && mv "$out.tmp" "$out"
log "done in $(( $(date +%s) - start ))s"
echo "$out"
