#!/usr/bin/env bash
# The provider plugin a stack's runtime needs, made available before `pulumi up` runs:
#   engine (the default)  none: this project's own Docker Engine API providers
#   docker                @pulumi/docker's plugin, which only the official download gives
#   kubernetes            @pulumi/kubernetes's plugin: one already installed or on PATH, else the
#                         official download, else a build from the Go module proxy (scripts/k8s/build.sh
#                         provider, into ~/.cache/redis-stack/k8s/bin, which scripts/env.sh puts on PATH)
# Usage: runtime-plugins.sh STACK   (the stack must exist; its runtime is read from its config)
# Sourced environment: scripts/env.sh (pulumi on PATH, the backend).
set -euo pipefail
stack="$1"
log() { printf '[setup] %s\n' "$*"; }

runtime=$(pulumi config get redis-stack:runtime --stack "$stack" 2>/dev/null || true)
sdk_version() { node -p "require('@pulumi/$1/package.json').version"; }
# installed NAME VERSION: the CLI has the plugin (installed, or an ambient binary on PATH).
installed() {
    pulumi plugin ls 2>/dev/null | awk -v n="$1" -v v="$2" '$1 == n && $3 == v { found = 1 } END { exit !found }' ||
        command -v "pulumi-resource-$1" >/dev/null 2>&1
}
download() { timeout 60 pulumi plugin install resource "$1" "$2" >/dev/null 2>&1; }

case "$runtime" in
    docker)
        version=$(sdk_version docker)
        if ! { installed docker "$version" || download docker "$version"; }; then
            echo "[setup] stack $stack: runtime docker needs the @pulumi/docker plugin $version, which cannot be downloaded here; use the default engine runtime: pulumi config rm redis-stack:runtime --stack $stack" >&2
            exit 1
        fi
        log "stack $stack: runtime docker (plugin docker $version)"
        ;;
    kubernetes)
        version=$(sdk_version kubernetes)
        if installed kubernetes "$version"; then
            log "stack $stack: runtime kubernetes (plugin kubernetes $version: $(command -v pulumi-resource-kubernetes || echo installed))"
        elif download kubernetes "$version"; then
            log "stack $stack: runtime kubernetes (plugin kubernetes $version: downloaded)"
        else
            log "stack $stack: runtime kubernetes; the plugin kubernetes $version cannot be downloaded here: building it"
            bash "$REDIS_STACK_ROOT/scripts/k8s/build.sh" provider
        fi
        ;;
    *)
        # The engine runtime needs no provider plugin: keep the CLI from trying to download those of
        # the SDKs in node_modules (about 1.2 s each where downloads fail).
        touch "$REDIS_STACK_ROOT/node_modules/.redis-stack-no-plugin-downloads"
        log "stack $stack: runtime engine"
        ;;
esac
