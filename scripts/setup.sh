#!/usr/bin/env bash
# Idempotent setup: npm packages, a Docker engine, a Redis image, a metrics exporter image and the scheduled
# backups' runner image (this machine's default images, in the gitignored .redis-stack/machine.json), the Pulumi
# toolchain, a state backend and the dev stack.
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

# 4. A Redis image and a metrics exporter image: each the project's default if it is here or can be pulled,
# else a local build. A local build is this machine's default image, recorded outside tracked files in
# .redis-stack/machine.json (gitignored: "image", "metricsImage"), which the program uses for every stack
# that does not set redis-stack:image or redis-stack:metricsImage.
# default_or_local WHAT DEFAULT BUILD_SCRIPT LOCAL_NAME: DEFAULT if the engine has it or can pull it, else the
# local build BUILD_SCRIPT makes under LOCAL_NAME; the chosen image on stdout.
default_or_local() {
  local what="$1" default="$2" build="$3" local_name="$4"
  if docker image inspect "$default" >/dev/null 2>&1 || timeout 60 docker pull -q "$default" >/dev/null 2>&1; then
    log "$what: $default" >&2
    echo "$default"
  else
    log "$what: $default cannot be pulled here; using a local build" >&2
    bash "$build" "$local_name" | tail -n 1
  fi
}
default_image=$(node -p 'require("./components/settings/defaults.json").image')
image=$(default_or_local image "$default_image" scripts/lib/redis-image.sh "$REDIS_STACK_LOCAL_IMAGE")
# The exporter (oliver006/redis_exporter): a local build is of the same version, the default's tag.
default_metrics_image=$(node -p 'require("./components/settings/defaults.json").metricsImage')
metrics_image=$(default_or_local "metrics image" "$default_metrics_image" scripts/lib/exporter-image.sh \
  "${REDIS_STACK_LOCAL_METRICS_IMAGE:-redis-stack-local/redis-exporter:${default_metrics_image##*:}}")
# The scheduled backups' runner (backupSchedule): the project's own code, so always a local build (its tag is the
# build's stamp: a changed runner is a new image).
backup_image=$(bash scripts/lib/backup-image.sh | tail -n 1)
log "backup image: $backup_image"
# Each key is kept or removed on its own: one equal to the project's default is not recorded.
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const fs = require("fs");
  const [file, ...rest] = process.argv.slice(1);
  let machine = {};
  try { machine = JSON.parse(fs.readFileSync(file, "utf8")); } catch { /* none yet, or unusable: rewritten */ }
  const names = { image: "default image", metricsImage: "default metrics image", backupImage: "default backup image" };
  for (let i = 0; i < rest.length; i += 3) {
    const [key, image, projectDefault] = rest.slice(i, i + 3);
    if (image === projectDefault) delete machine[key]; else machine[key] = image;
  }
  const text = Object.keys(machine).length === 0 ? "" : JSON.stringify(machine, null, 4) + "\n";
  if (text !== (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "")) {
    if (text === "") fs.rmSync(file);
    else fs.mkdirSync(require("path").dirname(file), { recursive: true }), fs.writeFileSync(file, text);
    const own = Object.keys(names).filter((key) => typeof machine[key] === "string").map((key) => `${names[key]} ${machine[key]}`);
    console.log(`[setup] this machine: ${text === "" ? "no own defaults" : own.join(", ") || "own defaults"} (${file})`);
  }
' .redis-stack/machine.json image "$image" "$default_image" metricsImage "$metrics_image" "$default_metrics_image" \
  backupImage "$backup_image" ""

# The test suite runs the same images (read by scripts/test.sh).
echo "$image" > node_modules/.redis-stack-image
echo "$metrics_image" > node_modules/.redis-stack-metrics-image
echo "$backup_image" > node_modules/.redis-stack-backup-image

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
