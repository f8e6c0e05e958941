#!/usr/bin/env bash
# Makes a Docker engine reachable at /var/run/docker.sock, for the container tests and the agent.
# Installs docker.io when dockerd is missing, starts dockerd by hand in the background when it is
# not answering (there is no systemd here), and waits until it answers. Idempotent: a running
# engine is left alone. Needs root. Log: $RIGEL_DOCKERD_LOG (default /tmp/dockerd.log).
#
# Flags: the default storage driver (overlay2) and iptables work in this sandbox. Where they do not
# (overlayfs on overlayfs, no iptables modules), the second attempt uses the vfs storage driver and
# --iptables=false; only `network: none` containers (the default) are sure to work then.
set -euo pipefail

LOG="${RIGEL_DOCKERD_LOG:-/tmp/dockerd.log}"
WAIT_SECONDS="${RIGEL_DOCKERD_WAIT:-60}"

say() { echo "start-docker: $*"; }
answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# One caller at a time (tests and CI may race).
exec 9>/tmp/rigel-start-docker.lock
flock -w 180 9 || { say "another start-docker.sh has held the lock for 3 minutes" >&2; exit 1; }

if command -v docker >/dev/null 2>&1 && answers; then
  say "engine already running ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  say "dockerd is not answering and starting it needs root" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  say "installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# Start dockerd with the given flags; succeed once it answers, fail if it dies or times out.
try_start() {
  say "starting dockerd${*:+ $*} (log: $LOG)"
  # A stale pid file from a killed daemon would stop the new one.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  # fd 9 holds the lock above: the daemon must not inherit it, or the next caller waits forever.
  setsid nohup dockerd "$@" >>"$LOG" 2>&1 </dev/null 9>&- &
  local pid=$!
  for _ in $(seq 1 "$WAIT_SECONDS"); do
    if answers; then
      say "engine up ($(docker version --format '{{.Server.Version}}'), storage $(docker info --format '{{.Driver}}'))"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      say "dockerd exited; last lines of $LOG:" >&2
      tail -n 5 "$LOG" >&2 || true
      return 1
    fi
    sleep 1
  done
  say "dockerd did not answer within ${WAIT_SECONDS}s; stopping it" >&2
  kill "$pid" 2>/dev/null || true
  sleep 2
  return 1
}

try_start && exit 0
try_start --storage-driver=vfs --iptables=false && exit 0
say "could not start a Docker engine; see $LOG" >&2
exit 1
