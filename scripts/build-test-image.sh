#!/usr/bin/env bash
# Builds the local test image (default rigel/busybox:test) without any registry: a root
# filesystem holding Debian's static busybox with a symlink per applet, loaded by `docker import`.
# Idempotent: an existing image is kept. Installs busybox-static when no static busybox is there.
set -euo pipefail

IMAGE="${1:-rigel/busybox:test}"
say() { echo "build-test-image: $*"; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "$IMAGE already exists"
  exit 0
fi

is_static() { [ -x "$1" ] && ! ldd "$1" >/dev/null 2>&1; }
BUSYBOX="$(command -v busybox || true)"
if [ -z "$BUSYBOX" ] || ! is_static "$BUSYBOX"; then
  say "installing busybox-static"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq busybox-static >/dev/null
  BUSYBOX="$(command -v busybox)"
fi
is_static "$BUSYBOX" || { say "$BUSYBOX is not statically linked" >&2; exit 1; }

ROOTFS="$(mktemp -d /tmp/rigel-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
mkdir -p "$ROOTFS"/{bin,etc,tmp,root,proc,sys,dev,rigel}
chmod 1777 "$ROOTFS/tmp"
cp "$BUSYBOX" "$ROOTFS/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$ROOTFS/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"

tar -C "$ROOTFS" --numeric-owner --owner=0 --group=0 -c . |
  docker import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
say "built $IMAGE ($(docker image inspect --format '{{.Id}}' "$IMAGE"))"
