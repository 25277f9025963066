#!/usr/bin/env bash
# Ensures Pulumi YAML's language host, pulumi-language-yaml, at one pinned version: what a Pulumi YAML program
# that declares redis-stack:index:RedisStack (test/e2e/yamlProgram.test.ts) runs on. No download site is
# reachable here, so it is built from the Go module proxy (about 90 s cold; Go's caches make a rebuild cheap)
# into a directory of its own version under ~/.cache/redis-stack: a new pin builds anew, an existing build is
# reused. A link next to the `pulumi` this project installs ($HOME/.pulumi/bin, on PATH through scripts/env.sh)
# is where the CLI finds it, as it finds the Node.js host. Prints the binary's path; progress goes to stderr.
# Usage: bash scripts/lib/pulumi-language-yaml.sh
set -euo pipefail

YAML_VERSION="1.25.0"
MODULE="github.com/pulumi/pulumi-yaml"
DIR="${XDG_CACHE_HOME:-$HOME/.cache}/redis-stack/pulumi-language-yaml-v$YAML_VERSION"
BIN="$DIR/pulumi-language-yaml"
LINK="$HOME/.pulumi/bin/pulumi-language-yaml"

log() { printf '[pulumi-language-yaml] %s\n' "$*" >&2; }

if [[ -x "$BIN" ]]; then
  log "using $BIN"
else
  command -v go >/dev/null 2>&1 || { log "ERROR: go is not installed; it is needed to build pulumi-language-yaml"; exit 1; }
  log "building v$YAML_VERSION from the Go module proxy into $DIR"
  # Built aside and moved into place, so an interrupted build never leaves a binary that looks finished.
  staging="$(mktemp -d "${DIR}.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  t0=$SECONDS
  (cd "$staging" && GOBIN="$staging" GOFLAGS=-mod=mod go install -trimpath \
    -ldflags "-X $MODULE/pkg/version.Version=v$YAML_VERSION" "$MODULE/cmd/pulumi-language-yaml@v$YAML_VERSION")
  mkdir -p "$DIR"
  mv -f "$staging/pulumi-language-yaml" "$BIN"
  log "built $BIN in $((SECONDS - t0)) s"
fi
mkdir -p "$(dirname "$LINK")"
ln -sfn "$BIN" "$LINK"
printf '%s\n' "$LINK"
