#!/usr/bin/env bash
# Ensure a Docker engine answers `docker info`: use a running one, else install Debian's docker.io and
# start dockerd in the background (no systemd on CI machines).
set -euo pipefail

log() { printf '[setup:docker] %s\n' "$*"; }

if docker info >/dev/null 2>&1; then
  log "using the running Docker engine ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    log "no Docker engine and not root: install Docker and start it, then re-run" >&2
    exit 1
  fi
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# A dockerd killed without cleanup (a previous session's) leaves pid files that block a new start:
# remove those whose process is gone (by the PID they record, not by a process name).
for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
  if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    rm -f "$pidfile"
  fi
done
log "starting dockerd in the background (log: /var/log/dockerd.log)"
# setsid detaches it from this script's process group so it outlives the setup step.
setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
dockerd_pid=$!

for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    log "Docker engine is up ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  kill -0 "$dockerd_pid" 2>/dev/null || break
  sleep 0.5
done
log "dockerd exited or did not answer within 60 s; last lines of /var/log/dockerd.log:" >&2
tail -n 20 /var/log/dockerd.log >&2
exit 1
