#!/usr/bin/env bash
# Runs a command as on a machine that never ran this project, so that whatever it installs or builds into
# caches outside the repository is proven to be built by the command itself:
#   - a new, empty HOME: no Pulumi toolchain (~/.pulumi: CLI, language host, plugins), nothing under
#     ~/.cache/redis-stack (Kubernetes binaries, pulumi-resource-kubernetes, the cluster's images), no
#     npm cache;
#   - a Redis image tag of its own, which setup must build (`REDIS_STACK_LOCAL_IMAGE`), and one for each
#     other version the suite runs (`REDIS_STACK_LOCAL_IMAGE_REDIS7`, `..._VALKEY8`), which the test setup
#     must build; and an exporter image tag (`REDIS_STACK_LOCAL_METRICS_IMAGE`) that setup must build, with the
#     exporter and the tests' Prometheus built again into the new HOME's caches (from Go's shared caches);
#     and a repository of its own for the backup runner's image (`REDIS_STACK_LOCAL_BACKUP_REPO`), with Node
#     fetched again from the npm registry.
# Go's module and build caches are this machine's, shared: a cold compile of the same pinned sources takes
# tens of minutes and proves nothing a warm one does not (docs/BENCHMARKS.md has its time). So are the
# Debian packages the Redis 8 and Valkey 8 images are built from (REDIS_STACK_IMAGE_CACHE): the build from
# them is the part to prove (about 6 s each), the download (about 20 s) is Debian's archive.
# What it cannot make new: the Debian packages (Docker, containerd, etcd, ...) and a Docker engine already
# running. Everything it made is removed afterwards (the local cluster stopped first if it still runs).
# Usage: scripts/as-new-machine.sh COMMAND...      (.ci/run runs `npm test` under it)
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: $0 COMMAND..." >&2; exit 2; }
log() { printf '[new-machine] %s\n' "$*"; }

# This machine's Go caches, read before HOME changes (the Kubernetes builds keep theirs apart, see
# scripts/k8s/lib.sh).
go_build_cache=$(go env GOCACHE)
go_module_cache=$(go env GOMODCACHE)
k8s_go_cache="${REDIS_STACK_K8S_CACHE:-$HOME/.cache/redis-stack/k8s}/go"
mkdir -p "$go_build_cache" "$go_module_cache" "$k8s_go_cache"
image_cache="${REDIS_STACK_IMAGE_CACHE:-$HOME/.cache/redis-stack/images}"

home=$(mktemp -d /tmp/redis-stack-new-machine.XXXXXX)
image="redis-stack-local/redis:8-new-machine-${home##*.}"
image_redis7="redis-stack-local/redis:7-new-machine-${home##*.}"
image_valkey8="redis-stack-local/valkey:8-new-machine-${home##*.}"
# The metrics exporter's local build, of the version the project's default names.
metrics_version=$(sed -n 's/.*"metricsImage": *"[^"]*:\([^"]*\)".*/\1/p' "$(dirname "$0")/../components/settings/defaults.json")
image_metrics="redis-stack-local/redis-exporter:${metrics_version}-new-machine-${home##*.}"
# A repository name is lowercase (the tag is the build's stamp).
backup_repo="redis-stack-local/backup-new-machine-$(printf '%s' "${home##*.}" | tr '[:upper:]' '[:lower:]')"
cleanup() {
    local k8s_run="$home/.cache/redis-stack/k8s/run"
    if [ -e "$k8s_run" ]; then
        log "stopping the local Kubernetes it started"
        HOME="$home" REDIS_STACK_K8S_CACHE="$home/.cache/redis-stack/k8s" bash "$(dirname "$0")/k8s/down.sh" || true
    fi
    docker image rm "$image" "$image_redis7" "$image_valkey8" "$image_metrics" >/dev/null 2>&1 || true
    docker image ls -q "$backup_repo" | sort -u | xargs -r docker image rm -f >/dev/null 2>&1 || true
    rm -rf "$home"
}
trap cleanup EXIT

mkdir -p "$home/.cache/redis-stack/k8s"
ln -s "$k8s_go_cache" "$home/.cache/redis-stack/k8s/go"
export HOME="$home" GOCACHE="$go_build_cache" GOMODCACHE="$go_module_cache" REDIS_STACK_LOCAL_IMAGE="$image" \
    REDIS_STACK_LOCAL_IMAGE_REDIS7="$image_redis7" REDIS_STACK_LOCAL_IMAGE_VALKEY8="$image_valkey8" \
    REDIS_STACK_LOCAL_METRICS_IMAGE="$image_metrics" REDIS_STACK_IMAGE_CACHE="$image_cache" REDIS_STACK_LOCAL_BACKUP_REPO="$backup_repo"
unset XDG_CACHE_HOME REDIS_STACK_K8S_CACHE REDIS_STACK_K8S_RUN
log "HOME=$HOME (empty), Redis images $image, $image_redis7, $image_valkey8 exporter image $image_metrics and backup images $backup_repo (to build); Go caches shared: $GOCACHE, $GOMODCACHE, $k8s_go_cache; Debian packages for the images: $image_cache"
t0=$SECONDS
status=0
"$@" || status=$?
log "'$*' exited $status after $((SECONDS - t0)) s; removing what it made"
exit "$status"
