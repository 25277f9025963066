# Shared by the scripts/k8s/*.sh scripts (sourced): where things live, logging, small helpers.
# Everything built or downloaded goes under K8S_CACHE (never the repo); everything a running cluster
# owns (state, sockets, logs, pid files) goes under K8S_RUN, which down.sh removes.

K8S_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_CACHE="${REDIS_STACK_K8S_CACHE:-$HOME/.cache/redis-stack/k8s}"
K8S_BIN="$K8S_CACHE/bin"
K8S_RUN="${REDIS_STACK_K8S_RUN:-$K8S_CACHE/run}"
K8S_KUBECONFIG="$K8S_CACHE/admin.kubeconfig"
# One local cluster per machine (every one would use the same addresses and bridges): the one that holds
# them is named here, machine-wide, with the iptables chains that existed before it. A run interrupted
# before its down.sh (its HOME gone with it, as a killed scripts/as-new-machine.sh leaves it) is found
# through this record by the next up.sh, which removes what it left.
K8S_MACHINE_DIR="${REDIS_STACK_K8S_MACHINE_DIR:-/run/redis-stack-k8s}"
K8S_OWNER_FILE="$K8S_MACHINE_DIR/run-dir"

# Versions: the Kubernetes the wrapper module pins, and the string the provider reports (the npm SDK
# @pulumi/kubernetes 4.24.1 asks for a plugin of at least its own version).
KUBE_VERSION="v1.34.4"
PROVIDER_VERSION="4.24.1"
# kube-router, the NetworkPolicy controller (scripts/k8s/policy-build pins the same version).
POLICY_VERSION="v2.1.0"

# Addresses: one private /16 that nothing else here uses (Docker's pools are 172.17-31/16 and
# 192.168/16; the project's tests use 172.30.x). Node address on a bridge up.sh creates; pods on the
# CNI bridge; Services virtual.
K8S_NET="10.213.0.0/16"
K8S_BRIDGE="rs-k8s0"
K8S_NODE_IP="10.213.0.1"
K8S_POD_BRIDGE="rs-k8s-pods"
K8S_CLUSTER_CIDR="10.213.64.0/18"
K8S_POD_SUBNET="10.213.64.0/24"
K8S_SERVICE_CIDR="10.213.128.0/20"
K8S_SERVICE_IP="10.213.128.1"
# Addresses of LoadBalancer Services, which kube-router's allocator hands out (the status a cloud's load
# balancer controller would write); up.sh routes them onto the node's bridge, where kube-proxy answers them.
K8S_LB_CIDR="10.213.32.0/24"
# Ports on the node address only, outside the ranges the tests use (6379-6999, 7000-8999, 16379-18999).
K8S_ETCD_CLIENT_PORT=23790
K8S_ETCD_PEER_PORT=23800
K8S_API_PORT=26443

# Go builds run at low priority (nice, in build.sh), with caches under K8S_CACHE.
export GOMODCACHE="$K8S_CACHE/go/mod"
export GOCACHE="$K8S_CACHE/go/build"
export GOFLAGS="-buildvcs=false -trimpath"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

# The iptables front ends whose chains up.sh records and down.sh removes: the host's own (nf_tables here, as
# Docker and kube-proxy use) and the legacy ones, where kube-router keeps its rules (see up.sh).
IPTABLES_FRONT_ENDS="iptables ip6tables iptables-legacy ip6tables-legacy"

log() { printf '%s [k8s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Seconds since the epoch with millisecond precision, for timings.
now() { date +%s.%N | cut -c1-14; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# A hash of files (paths relative to $1), for rebuild stamps.
hash_files() {
    local dir="$1"
    shift
    (cd "$dir" && sha256sum "$@") | sha256sum | cut -d' ' -f1
}

K8S_NODE_NAME="rs-k8s-node"
# In start order; down.sh stops them in reverse.
K8S_COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kube-router)

kctl() { "$K8S_BIN/kubectl" --kubeconfig "$K8S_KUBECONFIG" "$@"; }
