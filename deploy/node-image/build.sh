#!/usr/bin/env bash
# Builds the node image of `tug cluster` from Debian packages, without a registry:
# debootstrap (minbase, bookworm) with a container engine, iptables, redis and busybox, imported
# with `docker import`. Node.js and Tugboat are not in the image: each node container bind-mounts
# the host's node binary and this repository read-only (see control-plane/cmd/cluster/), so code
# changes need no rebuild. Usually run by `tug cluster create` when the image is missing.
#
#   deploy/node-image/build.sh TAG CACHE_DIR
#
# The downloaded packages are kept in CACHE_DIR (a debootstrap tarball named after the package
# list): a rebuild installs from it without downloading. Remove CACHE_DIR to fetch fresh packages.
# Needs root (debootstrap) and a reachable Debian mirror on the first build.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 TAG CACHE_DIR" >&2
  exit 2
fi
TAG=$1
CACHE_DIR=$2
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# libstdc++6: the bind-mounted node binary links it.
PACKAGES=docker.io,iptables,iproute2,ca-certificates,procps,conntrack,redis-server,busybox-static,libstdc++6

step() { printf '==> %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "building the node image needs root (debootstrap): run as root" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  step "Installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; }
fi

mkdir -p "$CACHE_DIR"
DEBS="$CACHE_DIR/debs-$SUITE-$(printf '%s' "$PACKAGES" | sha256sum | cut -c1-12).tgz"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tug-node-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [ ! -s "$DEBS" ]; then
  step "Downloading Debian packages into $DEBS (once)"
  debootstrap --variant=minbase --include="$PACKAGES" --make-tarball="$WORK/debs.tgz" "$SUITE" "$WORK/download" "$MIRROR"
  mv "$WORK/debs.tgz" "$DEBS"
fi

step "Installing the root filesystem from $DEBS"
debootstrap --variant=minbase --include="$PACKAGES" --unpack-tarball="$DEBS" "$SUITE" "$WORK/rootfs" "$MIRROR"

step "Trimming the root filesystem"
ROOT="$WORK/rootfs"
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* \
  "$ROOT"/usr/share/locale/* "$ROOT"/debootstrap
# Containers get these from the engine.
rm -f "$ROOT"/etc/hostname "$ROOT"/etc/resolv.conf
chroot "$ROOT" update-alternatives --set iptables /usr/sbin/iptables-nft >/dev/null
chroot "$ROOT" update-alternatives --set ip6tables /usr/sbin/ip6tables-nft >/dev/null

step "Importing as $TAG"
tar -C "$ROOT" --numeric-owner -cf - . | docker import --change 'LABEL dev.tugboat.node-image=true' - "$TAG" >/dev/null
step "Node image $TAG ready"
