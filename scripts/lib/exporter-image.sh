#!/usr/bin/env bash
# Ensure a Prometheus exporter image (oliver006/redis_exporter) exists locally. Usage: exporter-image.sh [IMAGE]
# Uses the image if present, else tries `docker pull`, else builds IMAGE from the Go module proxy: the
# exporter pinned by the wrapper module scripts/metrics/exporter-build, a static binary (CGO_ENABLED=0), in
# a one-layer image that holds only /redis_exporter (docker import; no registry needed). Like the upstream
# image: Entrypoint ["/redis_exporter"], user 59000:59000, port 9121.
# A local build is named redis-stack-local/redis-exporter:<version> (the default), its tag the version the
# wrapper module pins (a suffix after it is allowed: `:v1.97.0-ci-1`). The binary is kept in a cache
# directory (REDIS_STACK_EXPORTER_CACHE, default ~/.cache/redis-stack/exporter) and rebuilt only when the
# wrapper module or the Go version changes. Prints the chosen image name as the last line of stdout.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../metrics/exporter-build" && pwd)"
cache="${REDIS_STACK_EXPORTER_CACHE:-$HOME/.cache/redis-stack/exporter}"
log() { printf '[setup:exporter] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
started=$SECONDS

# The version the wrapper module pins (its go.mod's require line).
version=$(awk 'NF >= 2 && $(NF - 1) == "github.com/oliver006/redis_exporter" { print $NF; exit }' "$src/go.mod")
[ -n "$version" ] || die "no github.com/oliver006/redis_exporter version in $src/go.mod"
image="${1:-redis-stack-local/redis-exporter:$version}"
if [[ "$image" == redis-stack-local/* ]]; then
  tag="${image##*:}"
  [ "$tag" = "$version" ] || [[ "$tag" == "$version"-* ]] ||
    die "$image: a local build is the version $src pins, $version (its tag must be $version or $version-...)"
fi

# The stamp of a build: the wrapper module's files, the link flags and the Go version (as scripts/k8s/build.sh).
ldflags="-s -w -X main.BuildVersion=$version"
build_stamp() {
  echo "$(cd "$src" && sha256sum go.mod go.sum tools.go | sha256sum | cut -c1-16)-$(printf '%s' "$ldflags $(go env GOVERSION)" | sha256sum | cut -c1-16)"
}
# A local build carries its stamp: one from another wrapper module or Go version is rebuilt (without Go here,
# any local build of this version is used).
local_build_outdated() {
  [[ "$image" == redis-stack-local/* ]] || return 1
  local labels
  labels=$(docker image inspect -f '{{index .Config.Labels "redis-stack.exporter-version"}} {{index .Config.Labels "redis-stack.exporter-build"}}' "$image")
  [ "${labels% *}" = "$version" ] || return 0
  command -v go >/dev/null 2>&1 || return 1
  [ "${labels#* }" != "$(build_stamp)" ]
}

if docker image inspect "$image" >/dev/null 2>&1 && ! local_build_outdated; then
  log "using existing image $image"
  echo "$image"; exit 0
fi

if [[ "$image" != redis-stack-local/* ]] && timeout 60 docker pull -q "$image" >/dev/null 2>&1; then
  log "pulled $image"
  echo "$image"; exit 0
fi

command -v go >/dev/null 2>&1 || die "go not found on PATH; it is needed to build $image"
if [[ "$image" == redis-stack-local/* ]]; then log "building $image (redis_exporter $version) from the Go module proxy"
else log "cannot pull $image here; building it (redis_exporter $version) from the Go module proxy"; fi

# One build at a time (two setups at once would race on the same binary).
mkdir -p "$cache"
exec 9>"$cache/build.lock"
flock 9
stamp=$(build_stamp)
bin="$cache/redis_exporter"
if [ -x "$bin" ] && [ "$(cat "$cache/redis_exporter.stamp" 2>/dev/null)" = "$stamp" ]; then
  log "binary: up to date in $cache (stamp ${stamp:0:12})"
else
  log "binary: go build into $cache (nice 10; the first build downloads the modules)"
  rm -f "$cache/redis_exporter.stamp"
  # The module's main package; go.sum must already hold every module (-mod=readonly).
  (cd "$src" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-buildvcs=false -mod=readonly" nice -n 10 \
    go build -trimpath -ldflags "$ldflags" -o "$bin.new" github.com/oliver006/redis_exporter)
  mv "$bin.new" "$bin"
  echo "$stamp" >"$cache/redis_exporter.stamp"
  log "binary: built in $((SECONDS - started)) s ($(du -k "$bin" | cut -f1) KB)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
install -m 0755 "$bin" "$work/redis_exporter"
tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work" -c redis_exporter | docker import \
  --change 'ENTRYPOINT ["/redis_exporter"]' \
  --change 'USER 59000:59000' \
  --change 'EXPOSE 9121' \
  --change "LABEL org.opencontainers.image.version=$version" \
  --change "LABEL redis-stack.exporter-version=$version" \
  --change "LABEL redis-stack.exporter-build=$stamp" \
  - "$image" >/dev/null
# The image runs: a static binary with nothing else beside it.
reported=$(docker run --rm --network none "$image" --version 2>&1) || die "$image does not run: $reported"
[[ "$reported" == *"Redis Metrics Exporter $version "* ]] || die "$image reports '$reported', not $version"
log "built $image (redis_exporter $version, $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1/1e6}')) in $((SECONDS - started)) s"
echo "$image"
