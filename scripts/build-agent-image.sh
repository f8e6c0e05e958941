#!/usr/bin/env bash
# Builds the operator agent's container image (default tag rigel/agent:dev) from this checkout,
# with no registry: a root filesystem holding this host's `node` binary and the C libraries it and
# better-sqlite3 link (from ldd), the agent installed by scripts/install-agent.sh (compiled
# JavaScript and its runtime packages only), and a health check script; then `docker build` of
# docker/agent/Dockerfile, which starts FROM scratch. Prints the image's size.
#
# Usage: scripts/build-agent-image.sh [TAG] [--from-install DIR]
#   --from-install DIR: take the agent from an install made by install-agent.sh (DIR/app) instead of
#   compiling this checkout again.
# The image runs `rigel agent run`; docs/OPERATORS.md "Run the agent in a container" has the
# `docker run` line (Docker socket, data and keystore volumes, --gpus all, config by env).
set -euo pipefail

TAG="rigel/agent:dev"
FROM_INSTALL=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    --from-install) FROM_INSTALL="${2:?--from-install needs the install folder}"; shift 2 ;;
    -*) echo "build-agent-image: unknown flag $1" >&2; exit 2 ;;
    *) TAG="$1"; shift ;;
  esac
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "build-agent-image: $*"; }

command -v docker >/dev/null && docker version >/dev/null 2>&1 || {
  say "no Docker engine answers (start it: scripts/start-docker.sh, or sudo systemctl start docker)" >&2
  exit 1
}

CONTEXT="$(mktemp -d /tmp/rigel-agent-image.XXXXXX)"
trap 'rm -rf "$CONTEXT"' EXIT
ROOTFS="$CONTEXT/rootfs"
mkdir -p "$ROOTFS"/{usr/local/bin,etc,tmp,data,keystore,opt/rigel}
chmod 1777 "$ROOTFS/tmp"

# The agent: the same production install an operator gets (no init, no host checks).
if [ -n "$FROM_INSTALL" ]; then
  [ -f "$FROM_INSTALL/app/rigel.js" ] || { say "$FROM_INSTALL has no install (app/rigel.js)" >&2; exit 1; }
  cp -a "$FROM_INSTALL/app" "$ROOTFS/opt/rigel/app"
else
  bash "$ROOT/scripts/install-agent.sh" --dir "$ROOTFS/opt/rigel" --no-init --skip-checks >/dev/null
  rm -rf "$ROOTFS/opt/rigel/data" "$ROOTFS/opt/rigel/rigel"
fi
cp "$ROOT/docker/agent/healthcheck.js" "$ROOTFS/opt/rigel/healthcheck.js"

# Node, and every shared library it or a native package loads, at the paths the loader looks in.
NODE="$(readlink -f "$(command -v node)")"
cp "$NODE" "$ROOTFS/usr/local/bin/node"
copy_libs() {
  { ldd "$1" 2>/dev/null || true; } | { grep -oE '/[^ ]+\.so[^ ]*' || true; } | while read -r lib; do
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -L "$lib" "$ROOTFS$lib"
  done
}
copy_libs "$NODE"
while IFS= read -r native; do copy_libs "$native"; done < <(find "$ROOTFS/opt/rigel/app/node_modules" -name '*.node')
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"
# HTTPS RPC endpoints and oracles: Node has its own CA list; the host's is added for private CAs.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$ROOTFS/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/"
fi

cp "$ROOT/docker/agent/Dockerfile" "$CONTEXT/Dockerfile"
say "building $TAG (FROM scratch: no registry)"
# The classic builder: FROM scratch with a local context needs no registry and no BuildKit.
if ! DOCKER_BUILDKIT=0 docker build -q -t "$TAG" "$CONTEXT" >"$CONTEXT/build.log" 2>&1; then
  cat "$CONTEXT/build.log" >&2
  exit 1
fi
SIZE="$(docker image inspect --format '{{.Size}}' "$TAG")"
say "built $TAG: $((SIZE / 1024 / 1024)) MiB ($(docker image inspect --format '{{.Id}}' "$TAG" | cut -c8-19))"
docker run --rm "$TAG" agent --help >/dev/null || { say "$TAG does not start (rigel agent --help failed)" >&2; exit 1; }
