#!/usr/bin/env bash
# Test-only: ensure a Prometheus server binary for the metrics e2e tests, which scrape the exporters' targets
# with a real Prometheus (test/support/prometheus.ts); nothing the stack deploys runs it. Usage: prometheus.sh
# Builds cmd/prometheus from the Go module proxy at the version the wrapper module scripts/metrics/prometheus-build
# pins: a static binary (CGO_ENABLED=0, netgo) without service discovery but static targets (remove_all_sd) and
# without the web UI (its assets are not in the module zip; the HTTP API, all the tests use, is there).
# The binary is kept in a cache directory (REDIS_STACK_PROMETHEUS_CACHE, default ~/.cache/redis-stack/prometheus)
# and rebuilt only when the wrapper module or the Go version changes (about 3 min cold on 2 cores, and about
# 1 GB of modules the first time; well under a second when nothing changed). Progress goes to stderr; prints the
# binary's absolute path as the last line of stdout.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../metrics/prometheus-build" && pwd)"
cache="${REDIS_STACK_PROMETHEUS_CACHE:-$HOME/.cache/redis-stack/prometheus}"
log() { printf '[setup:prometheus] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
started=$SECONDS

# The version the wrapper module pins (its go.mod's require line): v0.316.0, which reports itself as 0.316.0.
version=$(awk 'NF >= 2 && $(NF - 1) == "github.com/prometheus/prometheus" { print $NF; exit }' "$src/go.mod")
[ -n "$version" ] || die "no github.com/prometheus/prometheus version in $src/go.mod"
version="${version#v}"
tags="netgo,remove_all_sd"
ldflags="-s -w -X github.com/prometheus/common/version.Version=$version"

# The stamp of a build: the wrapper module's files, the tags, the link flags and the Go version (as exporter-image.sh).
build_stamp() {
  echo "$(cd "$src" && sha256sum go.mod go.sum tools.go | sha256sum | cut -c1-16)-$(printf '%s' "$tags $ldflags $(go env GOVERSION)" | sha256sum | cut -c1-16)"
}
# The binary runs and is the pinned version.
check_version() {
  local reported
  reported=$("$bin" --version 2>&1 | head -n 1) || die "$bin does not run: $reported"
  [[ "$reported" == "prometheus, version $version "* ]] || die "$bin reports '$reported', not $version"
}

# One build at a time (two setups at once would race on the same binary).
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
bin="$cache/prometheus"
exec 9>"$cache/build.lock"
flock 9
if ! command -v go >/dev/null 2>&1; then
  # Without Go here, any earlier build of this version is used.
  [ -x "$bin" ] || die "go not found on PATH; it is needed to build Prometheus $version"
  check_version
  log "using $bin (no go on PATH to check its stamp)"
  echo "$bin"; exit 0
fi
stamp=$(build_stamp)
if [ -x "$bin" ] && [ "$(cat "$cache/prometheus.stamp" 2>/dev/null)" = "$stamp" ]; then
  check_version
  log "binary: Prometheus $version up to date in $cache (stamp ${stamp:0:12})"
else
  log "binary: building Prometheus $version (tags $tags) into $cache (nice 10; the first build downloads the modules)"
  rm -f "$cache/prometheus.stamp" "$bin.new"
  # The module's main package; go.sum must already hold every module (-mod=readonly).
  (cd "$src" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-buildvcs=false -mod=readonly" nice -n 10 \
    go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$bin.new" github.com/prometheus/prometheus/cmd/prometheus)
  mv "$bin.new" "$bin"
  check_version
  echo "$stamp" >"$cache/prometheus.stamp"
  log "binary: built in $((SECONDS - started)) s ($(du -k "$bin" | cut -f1) KB)"
fi
echo "$bin"
