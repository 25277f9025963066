#!/usr/bin/env bash
# Idempotent setup: npm packages, a Docker engine, a Redis image (this machine's default image, in the
# gitignored .redis-stack/machine.json), the Pulumi toolchain, a state backend and the dev stack.
# Prints each step and what it chose.
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

# 4. A Redis image: the project's default if it is here or can be pulled, else a local build. A local build
# is this machine's default image, recorded outside tracked files in .redis-stack/machine.json (gitignored),
# which the program uses for every stack that does not set redis-stack:image.
default_image=$(node -p 'require("./components/settings/defaults.json").image')
if docker image inspect "$default_image" >/dev/null 2>&1 || timeout 60 docker pull -q "$default_image" >/dev/null 2>&1; then
  image="$default_image"
  log "image: $image"
else
  log "image: $default_image cannot be pulled here; using a local build"
  image=$(bash scripts/lib/redis-image.sh "$REDIS_STACK_LOCAL_IMAGE" | tail -n 1)
fi
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const fs = require("fs");
  const [file, image, projectDefault] = process.argv.slice(1);
  let machine = {};
  try { machine = JSON.parse(fs.readFileSync(file, "utf8")); } catch { /* none yet, or unusable: rewritten */ }
  if (image === projectDefault) delete machine.image; else machine.image = image;
  const text = Object.keys(machine).length === 0 ? "" : JSON.stringify(machine, null, 4) + "\n";
  if (text !== (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "")) {
    if (text === "") fs.rmSync(file);
    else fs.mkdirSync(require("path").dirname(file), { recursive: true }), fs.writeFileSync(file, text);
    console.log(`[setup] this machine: ${text === "" ? "no own defaults" : `default image ${image}`} (${file})`);
  }
' .redis-stack/machine.json "$image" "$default_image"

# The test suite runs the same image (read by scripts/test.sh).
echo "$image" > node_modules/.redis-stack-image

if [ "${1:-}" = "--no-stack" ]; then
  log "done in $(( $(date +%s) - started )) s (no stack)"
  exit 0
fi

# 5. The dev stack. Nothing is written into its config: what this machine needs is in .redis-stack/.
log "state backend: ${PULUMI_BACKEND_URL:-your pulumi login}"
require_secrets_provider dev
pulumi stack select dev --create --non-interactive >/dev/null
bash scripts/lib/runtime-plugins.sh dev
log "done in $(( $(date +%s) - started )) s"
