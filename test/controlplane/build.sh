#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from one of our Go modules into a
# cache directory outside git and prints that directory. The module is test/controlplane (the
# Kubernetes version the tests run by default) unless a directory is given as $1 or in
# DATAHUB_CONTROLPLANE_MODULE (relative to the repository root), e.g. test/controlplane-1.34.
# The cache key is the module's go.mod + go.sum and the build recipe below (Go version, environment,
# flags, targets), never the log text: rebuilds only when one of those changes (or a binary is
# missing). Used by .ci/run, scripts/test.sh, the test harness and the demo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
module=${1:-${DATAHUB_CONTROLPLANE_MODULE:-test/controlplane}}
case "$module" in /*) ;; *) module="$root/$module" ;; esac
if [ ! -f "$module/go.mod" ]; then
  echo "cannot build control plane \"$module\": no go.mod there" >&2
  exit 2
fi
cd "$module"

# --- the build recipe: everything below that decides what the binaries are goes into the key ---
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly
k8s_version=$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' go.mod)
minor=$(echo "$k8s_version" | cut -d. -f2)
ver_flags=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ver_flags+=" -X $p.gitVersion=$k8s_version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
k8s_ldflags="-s -w$ver_flags"
etcd_ldflags="-s -w"
k8s_cmds=(kube-apiserver kube-controller-manager kubectl)
recipe="$(go env GOVERSION) GOTOOLCHAIN=$GOTOOLCHAIN CGO_ENABLED=$CGO_ENABLED GOFLAGS=$GOFLAGS build -trimpath
k8s.io/kubernetes/cmd/{${k8s_cmds[*]}} -ldflags=$k8s_ldflags
go.etcd.io/etcd/server/v3 (as etcd) -ldflags=$etcd_ldflags"
# --- end of recipe ---

key=$( { cat go.mod go.sum; echo "$recipe"; } | sha256sum | cut -c1-16)
cache_root=${DATAHUB_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datahub-operator}
out="$cache_root/controlplane/$k8s_version-$key"
bins=(etcd "${k8s_cmds[@]}")

complete() { for b in "${bins[@]}"; do [ -x "$out/$b" ] || return 1; done; }
if complete; then echo "$out"; exit 0; fi

# Two callers at once (the demo and a test run) build once: the second waits, then finds it built.
mkdir -p "$cache_root/controlplane"
exec 9>"$out.lock"
flock 9
if complete; then echo "$out"; exit 0; fi

log() { echo "[controlplane] $*" >&2; }
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
start=$(date +%s)
log "building Kubernetes $k8s_version control plane from ${module#"$root"/} into $out (first time: about 6-12 minutes on 2 cores)"
log "go mod download"
go mod download
for b in "${k8s_cmds[@]}"; do
  log "go build $b ($(( $(date +%s) - start ))s elapsed)"
  go build -trimpath -ldflags "$k8s_ldflags" -o "$out.tmp/$b" "k8s.io/kubernetes/cmd/$b"
done
log "go build etcd ($(( $(date +%s) - start ))s elapsed)"
go build -trimpath -ldflags "$etcd_ldflags" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3
rm -rf "$out" && mv "$out.tmp" "$out"
log "done in $(( $(date +%s) - start ))s"
echo "$out"
