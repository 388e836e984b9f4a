#!/usr/bin/env bash
# Builds Prometheus's promtool (github.com/prometheus/prometheus/cmd/promtool, the version pinned in
# this Go module) and our promql-selectors (main.go: Prometheus's PromQL parser, selectors out) into a
# cache directory outside git, keyed by go.mod + go.sum + main.go + build.sh, and prints that
# directory. Rebuilds only when the key changes (or a binary is missing). Used by `npm test` and the
# monitoring tests (test/unit/monitoring-*.test.ts, test/integration/alerts-recorded.test.ts).
# Self-contained on purpose: it shares only the cache root with test/controlplane/build.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
prom_version=$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/prometheus/prometheus" && $(i + 1) ~ /^v/) { print $(i + 1); exit } }' "$here/go.mod")
key=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" "$here/build.sh" | sha256sum | cut -c1-16)
cache_root=${DATAHUB_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datahub-operator}
out="$cache_root/promtool/$prom_version-$key"
# github.com/prometheus-operator/prometheus-operator: the module whose example/ holds the CRDs; its
# PrometheusRule CRD goes next to the binaries so the tests check the shipped rules against the
# real schema (server-side dry run). Same version and hash as test/helm/build.sh's ServiceMonitor CRD.
po_module=github.com/prometheus-operator/prometheus-operator
po_version=v0.85.0
po_sum=h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s=
rule_crd=crds/monitoring.coreos.com_prometheusrules.yaml

complete() { [ -x "$out/promtool" ] && [ -x "$out/promql-selectors" ] && [ -f "$out/$rule_crd" ]; }
if complete; then echo "$out"; exit 0; fi

# Two callers at once (npm test and a test file) build once: the second waits, then finds it built.
mkdir -p "$cache_root/promtool"
exec 9>"$out.lock"
flock 9
if complete; then echo "$out"; exit 0; fi

log() { echo "[promtool] $*" >&2; }
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
start=$(date +%s)
log "building promtool from prometheus $prom_version into $out (first time: a few minutes on 2 cores)"
cd "$here"
go mod download
# remove_all_sd leaves out the service-discovery plugins (cloud SDKs) that only `promtool check
# config` and `promtool sd` use: rule checks, rule unit tests and PromQL parsing do not need them.
# The version flags are what Prometheus's release build sets, so `promtool --version` names it
# (Go module v0.3MM.P is Prometheus 3.MM.P).
release=$(echo "$prom_version" | awk -F. '{printf "%d.%d.%s", int($2 / 100), $2 % 100, $3}')
pkg=github.com/prometheus/common/version
go build -trimpath -tags remove_all_sd \
  -ldflags "-s -w -X $pkg.Version=$release -X $pkg.Revision=module -X $pkg.Branch=module" \
  -o "$out.tmp/promtool" github.com/prometheus/prometheus/cmd/promtool
log "go build promql-selectors ($(( $(date +%s) - start ))s elapsed)"
go build -trimpath -ldflags "-s -w" -o "$out.tmp/promql-selectors" .
# Outside our module (it is data, not a dependency); the checksum database verifies the download and
# the pinned hash makes it the exact version this key names.
po_json=$(cd "$out.tmp" && GOFLAGS= go mod download -json "$po_module@$po_version")
po_dir=$(echo "$po_json" | awk -F'"' '$2=="Dir" {print $4}')
echo "$po_json" | grep -qF "\"Sum\": \"$po_sum\"" || { log "unexpected checksum for $po_module@$po_version"; exit 1; }
mkdir -p "$out.tmp/crds"
cp "$po_dir/example/prometheus-operator-crd/$(basename "$rule_crd")" "$out.tmp/$rule_crd"
chmod 0644 "$out.tmp/$rule_crd"
rm -rf "$out" && mv "$out.tmp" "$out"
log "done in $(( $(date +%s) - start ))s"
echo "$out"
