#!/usr/bin/env bash
# The example service (examples/service) as an image for the local cluster, built without a registry
# or Docker: one layer with this machine's node binary and the libraries it links, the example
# compiled to JS, and the ioredis packages it needs from the project's node_modules.
#   example-image.sh build    builds the image archive (cached; rebuilt only when an input changed),
#                             prints its path
#   example-image.sh import   builds, then imports it into the running local cluster's containerd
# Image name: redis-stack-local/example-service:local (examples/service/pod.yaml, imagePullPolicy Never).
#
# Why the host's node and not Debian's `nodejs` package: the host's is the node the project is built
# and tested with (package.json engines), its libraries are found by ldd exactly as the Redis image's
# are (scripts/lib/redis-image.sh), and nothing is downloaded. `apt-get download` does not resolve
# dependencies, and Debian's nodejs needs libnode, libuv, ICU, c-ares, brotli, ... listed by hand.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode="${1:-build}"
IMAGE="redis-stack-local/example-service:local"
ROOT="$(cd "$K8S_DIR/../.." && pwd)"
OUT="$K8S_CACHE/images"
TAR="$OUT/example-service.tar"
STAMP="$OUT/example-service.stamp"
t0="$(now)"

node_bin="$(readlink -f "$(command -v node)")"
# Shared libraries node loads, with the dynamic loader (absolute paths).
node_libs() { ldd "$node_bin" | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }' | while read -r l; do [ -e "$l" ] && readlink -f "$l"; done; }

# ioredis and what it requires, resolved as node does (node_modules up from the requiring package),
# as paths relative to the project: the layout is kept, nested node_modules included.
dep_dirs() {
    local queue=("node_modules/ioredis") seen=" " dir dep up found
    while [ "${#queue[@]}" -gt 0 ]; do
        dir="${queue[0]}"
        queue=("${queue[@]:1}")
        case "$seen" in *" $dir "*) continue ;; esac
        seen="$seen$dir "
        echo "$dir"
        for dep in $(node -p "Object.keys(require('$ROOT/$dir/package.json').dependencies || {}).join(' ')"); do
            up="$dir" found=""
            while :; do
                if [ -f "$ROOT/$up/node_modules/$dep/package.json" ]; then
                    found="$up/node_modules/$dep"
                    break
                fi
                [ "$up" = "." ] && break
                up="$(dirname "$up")"
            done
            [ -n "$found" ] || die "$dep (required by $dir) is not installed: run npm ci"
            queue+=("${found#./}")
        done
    done
}

deps="$(dep_dirs)"
# Everything the image is made of; any change rebuilds it.
stamp="$(
    {
        sha256sum "$node_bin" $(node_libs)
        (cd "$ROOT" && sha256sum examples/service/*.ts scripts/k8s/example-image.tsconfig.json tsconfig.json scripts/k8s/example-image.sh)
        for d in $deps; do node -p "const p = require('$ROOT/$d/package.json'); '$d ' + p.name + '@' + p.version"; done
        echo "$IMAGE"
    } | sha256sum | cut -d' ' -f1
)"

if [ -f "$TAR" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$stamp" ]; then
    log "example image: cached ($TAR)"
else
    log "example image: building $IMAGE (node $(node --version), ioredis $(node -p "require('$ROOT/node_modules/ioredis/package.json').version"))"
    work="$OUT/example-service-build"
    mkdir -p "$OUT"
    rm -rf "$work"
    mkdir -p "$work/rootfs/usr/local/bin" "$work/rootfs/app" "$work/rootfs/tmp" "$work/rootfs/etc"
    cp "$node_bin" "$work/rootfs/usr/local/bin/node"
    for lib in $(node_libs); do
        mkdir -p "$work/rootfs$(dirname "$lib")"
        cp "$lib" "$work/rootfs$lib"
    done
    # The loader is asked for by the path the binary names (/lib64/ld-linux-x86-64.so.2 on amd64), and
    # libraries by their soname: link each name ldd printed to the file it resolved to.
    ldd "$node_bin" | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }' | while read -r l; do
        [ -e "$l" ] || continue
        real="$(readlink -f "$l")"
        [ "$l" = "$real" ] && continue
        mkdir -p "$work/rootfs$(dirname "$l")"
        ln -sf "$real" "$work/rootfs$l"
    done
    (cd "$ROOT" && npx tsc -p scripts/k8s/example-image.tsconfig.json --outDir "$work/rootfs/app")
    for d in $deps; do
        mkdir -p "$work/rootfs/app/$(dirname "$d")"
        # The package without its own nested node_modules (those are copied as dependencies of their own).
        (cd "$ROOT/$d" && tar --exclude=./node_modules -cf - .) | (mkdir -p "$work/rootfs/app/$d" && cd "$work/rootfs/app/$d" && tar -xf -)
    done
    echo 'nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin' >"$work/rootfs/etc/passwd"
    chmod 1777 "$work/rootfs/tmp"

    # A docker-archive with one layer, byte for byte the same from the same inputs (sorted, fixed
    # owners and times), which `ctr images import` reads.
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" .
    diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
    printf '%s' "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"65534:65534\",\"WorkingDir\":\"/app\",\"Env\":[\"NODE_ENV=production\"],\"Entrypoint\":[\"/usr/local/bin/node\",\"/app/index.js\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"$diff_id\"]}}" >"$work/config.json"
    cfg="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
    mkdir -p "$work/tar/layer"
    mv "$work/config.json" "$work/tar/$cfg.json"
    mv "$work/layer.tar" "$work/tar/layer/layer.tar"
    printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer/layer.tar"]}]' "$cfg" "$IMAGE" >"$work/tar/manifest.json"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/tar" -cf "$TAR.tmp" .
    mv "$TAR.tmp" "$TAR"
    echo "$stamp" >"$STAMP"
    rm -rf "$work"
    log "example image: built in $(elapsed "$t0") s ($(du -m "$TAR" | cut -f1) MB)"
fi

case "$mode" in
    build) echo "$TAR" ;;
    import)
        sock="$K8S_RUN/containerd/containerd.sock"
        [ -S "$sock" ] || die "the local cluster's containerd is not running ($sock): start it with scripts/k8s/up.sh"
        t1="$(now)"
        ctr --address "$sock" -n k8s.io images import "$TAR" >/dev/null
        log "example image: $IMAGE imported into the cluster's containerd in $(elapsed "$t1") s"
        ;;
    *) die "usage: example-image.sh build|import" ;;
esac
