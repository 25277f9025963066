#!/usr/bin/env bash
# Builds, from the Go module proxy, what the local single-node Kubernetes and Pulumi need:
#   - Kubernetes server binaries (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
#     kube-proxy, kubectl) from the wrapper module in scripts/k8s/kube-build;
#   - pulumi-resource-kubernetes from the wrapper module in scripts/k8s/provider-build;
#   - kube-router (its NetworkPolicy controller is what up.sh runs) from scripts/k8s/policy-build.
# Outputs go to ~/.cache/redis-stack/k8s/bin. Each part is rebuilt only when its wrapper module (or
# the version it stamps) changed: a hash of those is kept next to the binaries.
# Usage: scripts/k8s/build.sh [kube|provider|policy|all]   (default all)
# The builds run under `nice`, so that a shared machine stays usable while they use every core.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

what="${1:-all}"
case "$what" in kube | provider | policy | all) ;; *) die "usage: $0 [kube|provider|policy|all] (got '$what')" ;; esac

command -v go >/dev/null || die "go not found on PATH (setup installs it)"
mkdir -p "$K8S_BIN" "$GOMODCACHE" "$GOCACHE"
# One build of each part at a time (two up.sh or setup runs at once would race on the same outputs).
lock() {
    exec 9>"$K8S_CACHE/build-$1.lock"
    flock 9
}

KUBE_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)

# The stamp of a part's build: its wrapper module's files, the link flags and the Go version.
build_stamp() {
    local src="$1" ldflags="$2"
    echo "$(hash_files "$src" go.mod go.sum tools.go)-$(printf '%s' "$ldflags $(go env GOVERSION)" | sha256sum | cut -c1-16)"
}

# up_to_date PART STAMP BINARY...: whether the part was built with STAMP and every binary is there.
up_to_date() {
    local part="$1" stamp="$2"
    shift 2
    [ -f "$K8S_BIN/.$part.stamp" ] && [ "$(cat "$K8S_BIN/.$part.stamp")" = "$stamp" ] || return 1
    local b
    for b in "$@"; do [ -x "$K8S_BIN/$b" ] || return 1; done
}

build_kube() {
    lock kube
    local src="$K8S_DIR/kube-build"
    local minor="${KUBE_VERSION#v1.}"
    minor="${minor%%.*}"
    # What hack/lib/version.sh stamps; without it the binaries report v0.0.0-master.
    local ldflags="-s -w"
    local pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
        ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    local stamp c
    stamp="$(build_stamp "$src" "$ldflags")"
    if up_to_date kube "$stamp" "${KUBE_CMDS[@]}"; then
        log "kube: $KUBE_VERSION binaries up to date in $K8S_BIN (stamp ${stamp:0:12})"
        return
    fi
    log "kube: building $KUBE_VERSION (${KUBE_CMDS[*]}) from $src into $K8S_BIN; GOFLAGS=$GOFLAGS, nice 10"
    local t0 pkgs=()
    t0="$(now)"
    for c in "${KUBE_CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
    rm -f "$K8S_BIN/.kube.stamp"
    (cd "$src" && nice -n 10 go build -ldflags "$ldflags" -o "$K8S_BIN/" "${pkgs[@]}")
    local reported
    reported="$("$K8S_BIN/kubectl" version --client)"
    [[ "$reported" == *"Client Version: $KUBE_VERSION"* ]] || die "kubectl reports '$reported', not $KUBE_VERSION"
    echo "$stamp" >"$K8S_BIN/.kube.stamp"
    log "kube: built in $(elapsed "$t0") s"
}

build_provider() {
    lock provider
    local src="$K8S_DIR/provider-build"
    local mod="github.com/pulumi/pulumi-kubernetes/provider/v4"
    local ldflags="-s -w -X $mod/pkg/version.Version=$PROVIDER_VERSION"
    local stamp
    stamp="$(build_stamp "$src" "$ldflags")"
    if up_to_date provider "$stamp" pulumi-resource-kubernetes; then
        log "provider: pulumi-resource-kubernetes $PROVIDER_VERSION up to date in $K8S_BIN (stamp ${stamp:0:12})"
        return
    fi
    local t0
    t0="$(now)"
    # The command embeds schema-embed.json and terraform-mapping-embed.json, which its generate.go
    # writes from files shipped in the module; a module download is read-only, so build a copy of the
    # command directory inside a scratch module that uses the wrapper's go.mod and go.sum.
    local work="$K8S_CACHE/provider-src"
    rm -rf "$work"
    mkdir -p "$work/cmd"
    cp "$src/go.mod" "$src/go.sum" "$work/"
    (cd "$src" && go mod download "$mod")
    local dir
    dir="$(cd "$src" && go list -m -f '{{.Dir}}' "$mod")"
    [ -d "$dir/cmd/pulumi-resource-kubernetes" ] || die "provider: $dir/cmd/pulumi-resource-kubernetes not found"
    cp -r "$dir/cmd/pulumi-resource-kubernetes/." "$work/cmd/"
    chmod -R u+w "$work"
    sed -i "s#^module .*#module redis-stack.local/provider-src#" "$work/go.mod"
    log "provider: generating the embedded schema (VERSION=$PROVIDER_VERSION) in $work/cmd"
    (cd "$work/cmd" && VERSION="$PROVIDER_VERSION" nice -n 10 go run ./generate.go)
    log "provider: building pulumi-resource-kubernetes $PROVIDER_VERSION into $K8S_BIN; GOFLAGS=$GOFLAGS, nice 10"
    rm -f "$K8S_BIN/.provider.stamp"
    (cd "$work/cmd" && nice -n 10 go build -ldflags "$ldflags" -o "$K8S_BIN/pulumi-resource-kubernetes" .)
    echo "$stamp" >"$K8S_BIN/.provider.stamp"
    log "provider: built in $(elapsed "$t0") s"
}

build_policy() {
    lock policy
    local src="$K8S_DIR/policy-build"
    local ldflags="-s -w"
    local stamp
    stamp="$(build_stamp "$src" "$ldflags")"
    if up_to_date policy "$stamp" kube-router; then
        log "policy: kube-router $POLICY_VERSION up to date in $K8S_BIN (stamp ${stamp:0:12})"
        return
    fi
    log "policy: building kube-router $POLICY_VERSION from $src into $K8S_BIN; GOFLAGS=$GOFLAGS, nice 10"
    local t0
    t0="$(now)"
    rm -f "$K8S_BIN/.policy.stamp"
    (cd "$src" && nice -n 10 go build -ldflags "$ldflags" -o "$K8S_BIN/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)
    echo "$stamp" >"$K8S_BIN/.policy.stamp"
    log "policy: built in $(elapsed "$t0") s"
}

case "$what" in
    kube) build_kube ;;
    provider) build_provider ;;
    policy) build_policy ;;
    all)
        build_kube
        build_provider
        build_policy
        ;;
esac
log "binaries in $K8S_BIN: $(cd "$K8S_BIN" && ls | tr '\n' ' ')"
