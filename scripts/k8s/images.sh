#!/usr/bin/env bash
# Images for the local cluster's containerd (nothing can be pulled here). Called by up.sh:
#   images.sh pause  SOCKET IMAGE   builds the pod sandbox image from ./pause (cached) and imports it
#   images.sh docker SOCKET IMAGE   copies IMAGE from the local Docker engine
# and, for the e2e tests of other images (Redis 8, Valkey 8: test/e2e/kubernetesVersions.test.ts):
#   images.sh cluster IMAGE         copies IMAGE from the local Docker engine into the running cluster
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kind="$1"
if [ "$kind" = cluster ]; then
    sock="$K8S_RUN/containerd/containerd.sock" image="$2"
    [ -S "$sock" ] || die "images: the local cluster does not run (no $sock): start it with scripts/k8s/up.sh"
    docker image inspect "$image" >/dev/null 2>&1 || die "images: $image is not in the local Docker engine (scripts/test.sh builds it)"
    kind=docker
else
    sock="$2" image="$3"
fi
ctr_import() { ctr --address "$sock" -n k8s.io images import "$@" >/dev/null; }
t0="$(now)"

case "$kind" in
    pause)
        out="$K8S_CACHE/images"
        stamp="$(hash_files "$K8S_DIR/pause" go.mod main.go)-$image"
        if [ ! -f "$out/pause.tar" ] || [ "$(cat "$out/pause.stamp" 2>/dev/null)" != "$stamp" ]; then
            log "images: building the pause image $image (static Go binary, docker-archive layout)"
            work="$out/pause-build"
            mkdir -p "$out"
            rm -rf "$work"
            mkdir -p "$work/rootfs"
            (cd "$K8S_DIR/pause" && nice -n 10 go build -ldflags "-s -w" -o "$work/rootfs/pause" .)
            tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" pause
            diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
            printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
                "$diff_id" >"$work/config.json"
            cfg="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
            mkdir -p "$work/tar/layer"
            mv "$work/config.json" "$work/tar/$cfg.json"
            mv "$work/layer.tar" "$work/tar/layer/layer.tar"
            printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer/layer.tar"]}]' "$cfg" "$image" >"$work/tar/manifest.json"
            tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/tar" -cf "$out/pause.tar" .
            echo "$stamp" >"$out/pause.stamp"
            rm -rf "$work"
        fi
        ctr_import "$out/pause.tar"
        ;;
    docker)
        if ! docker image inspect "$image" >/dev/null 2>&1; then
            log "images: $image is not in the local Docker engine (scripts/setup.sh builds it): not imported"
            exit 0
        fi
        docker save "$image" | ctr_import -
        ;;
    *) die "usage: images.sh pause|docker SOCKET IMAGE, or images.sh cluster IMAGE" ;;
esac
log "images: $image imported into the cluster's containerd in $(elapsed "$t0") s"
