#!/usr/bin/env bash
# Idempotent setup: npm packages, a Docker engine, a Redis image, the Pulumi toolchain, a state backend
# and the dev stack's machine-specific config. Prints each step and what it chose.
# Usage: scripts/setup.sh [--no-stack]   (--no-stack: skip the dev stack, as the test suite does)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
log() { printf '[setup] %s\n' "$*"; }
started=$(date +%s)

# 1. npm packages, reinstalled only when package-lock.json changed.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.redis-stack-lock 2>/dev/null)" = "$lock_sum" ]; then
  log "npm packages: up to date"
else
  log "npm packages: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.redis-stack-lock
fi

# 2. Docker engine.
bash scripts/lib/docker-engine.sh

# 3. Pulumi CLI, Node.js language host, command provider.
bash scripts/lib/pulumi-toolchain.sh

# 4. A Redis image: the stack's configured one if it is here or can be pulled, else a local build.
configured_image=""
if [ -f Pulumi.dev.yaml ]; then
  configured_image=$(sed -n 's/^ *redis-stack:image: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' Pulumi.dev.yaml)
fi
want_image="${configured_image:-$(sed -n 's/^export const DEFAULT_IMAGE = "\(.*\)";/\1/p' components/config.ts)}"
if docker image inspect "$want_image" >/dev/null 2>&1 || timeout 60 docker pull -q "$want_image" >/dev/null 2>&1; then
  image="$want_image"
  log "image: $image"
else
  log "image: $want_image cannot be pulled here; using a local build"
  image=$(bash scripts/lib/redis-image.sh "$REDIS_STACK_LOCAL_IMAGE" | tail -n 1)
fi

# The test suite runs the same image (read by scripts/test.sh).
echo "$image" > node_modules/.redis-stack-image

if [ "${1:-}" = "--no-stack" ]; then
  log "done in $(( $(date +%s) - started )) s (no stack)"
  exit 0
fi

# 5. The dev stack, with what this machine needs recorded in Pulumi.dev.yaml.
log "state backend: $PULUMI_BACKEND_URL"
pulumi stack select dev --create --non-interactive >/dev/null
[ "$image" = "$configured_image" ] || { pulumi config set redis-stack:image "$image"; log "dev stack: redis-stack:image = $image"; }
runtime=$(pulumi config get redis-stack:runtime 2>/dev/null || true)
if [ "$runtime" = docker ]; then
  # @pulumi/docker needs its provider plugin, downloaded from the internet on first use.
  if ! { pulumi plugin ls 2>/dev/null | grep -q '^docker ' || timeout 60 pulumi plugin install resource docker "$(node -p 'require("@pulumi/docker/package.json").version')" >/dev/null 2>&1; }; then
    echo "[setup] dev stack: runtime docker needs the @pulumi/docker plugin, which cannot be downloaded here; use the default engine runtime: pulumi config rm redis-stack:runtime" >&2
    exit 1
  fi
  log "dev stack: runtime docker"
else
  # The engine runtime (the default) needs no provider plugin: keep the CLI from trying to download
  # those of the SDKs in node_modules (about 1.2 s each where downloads fail).
  touch node_modules/.redis-stack-no-plugin-downloads
  log "dev stack: runtime engine"
fi
log "done in $(( $(date +%s) - started )) s"
