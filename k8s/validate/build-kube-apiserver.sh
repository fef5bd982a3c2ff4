#!/usr/bin/env bash
# Builds kube-apiserver from Debian's `kubernetes` source package and caches the binary
# outside the repository, so later runs skip the build (about 8 minutes on 2 cores).
# Prints the path of the binary. Needs root (apt-get) the first time.
set -euo pipefail

CACHE_DIR=${KUBE_CACHE_DIR:-/var/cache/ordersaga/kube}
BIN="$CACHE_DIR/kube-apiserver"
if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$CACHE_DIR"
log() { echo "build-kube-apiserver: $*" >&2; }

if ! grep -rqs '^Types: deb deb-src\|^Types: deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  log "adding a deb-src line for bookworm"
  cat > /etc/apt/sources.list.d/ordersaga-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq golang-go dpkg-dev rsync >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
log "fetching the kubernetes source package"
apt-get source -qq --download-only kubernetes >&2
dpkg-source -x --skip-patches kubernetes_*.dsc src >&2 || dpkg-source -x kubernetes_*.dsc src >&2
cd src
log "building cmd/kube-apiserver (this takes several minutes)"
export GOFLAGS=-mod=vendor GOCACHE="$CACHE_DIR/gocache" GO111MODULE=on
make WHAT=cmd/kube-apiserver KUBE_BUILD_PLATFORMS=linux/amd64 >&2
found=$(find _output -type f -name kube-apiserver -perm -u+x | head -1)
[[ -n "$found" ]] || { log "no kube-apiserver binary was produced"; exit 1; }
install -m 0755 "$found" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
rm -rf "$CACHE_DIR/gocache"
echo "$BIN"
