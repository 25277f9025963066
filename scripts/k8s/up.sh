#!/usr/bin/env bash
# Starts a single-node Kubernetes on this machine, for the project's tests and local stacks:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy (built by
# build.sh), on a containerd of its own, with the node address on a bridge this script creates.
# Idempotent: when the cluster already runs it says so and exits; when only part of it runs, it stops
# that part (down.sh) and starts again. Stop it with scripts/k8s/down.sh.
#
# What it touches on the host, all undone by down.sh: Debian packages it installs (kept); bridges
# rs-k8s0 (10.213.0.1/24, the node address) and rs-k8s-pods (pods); a blackhole route for 10.213/16
# and routes for the Service range and the load balancer range onto rs-k8s0; iptables chains named
# KUBE-*, CNI-* and RS-K8S-*; cgroups under rs-k8s; a shared bind mount of its runtime directory;
# /tmp/hostpath_pv (volumes of the `local` StorageClass); symlinks in /var/log/containers; network
# namespaces in /var/run/netns.
# All of its state, sockets, logs and pid files live under ~/.cache/redis-stack/k8s/run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$K8S_DIR/procs.sh"

[ "$(id -u)" = 0 ] || die "must run as root (it starts containerd and the kubelet)"
t_start="$(now)"

# ---------------------------------------------------------------------------------------------------
# Already running?
running=()
stopped=()
for c in "${K8S_COMPONENTS[@]}"; do
    if component_alive "$c"; then running+=("$c"); else stopped+=("$c"); fi
done
if [ "${#stopped[@]}" = 0 ] && kctl get --raw /readyz >/dev/null 2>&1; then
    log "already running (${running[*]}); API ready; kubeconfig: $K8S_KUBECONFIG"
    echo "$K8S_KUBECONFIG"
    exit 0
fi
if [ "${#running[@]}" -gt 0 ] || [ -e "$K8S_RUN" ] || holder_is_this_cluster; then
    log "partly running or left over (running: ${running[*]:-none}; stopped: ${stopped[*]}): stopping it first"
    bash "$K8S_DIR/down.sh"
fi
# A cluster of another runtime directory (another HOME) holds the machine's addresses: refused while
# any of its processes runs; left over by an interrupted run, it is removed.
if holder="$(holder_run_dir)" && [ "$holder" != "$K8S_RUN" ]; then
    if run_dir_alive "$holder"; then
        die "a local cluster started from $holder runs on this machine, and only one can (both would use $K8S_NET); nothing was changed. Stop it first: REDIS_STACK_K8S_RUN=$holder bash $K8S_DIR/down.sh"
    fi
    log "a cluster left over by an interrupted run ($holder; none of its processes runs): removing what it left"
    REDIS_STACK_K8S_RUN="$holder" bash "$K8S_DIR/down.sh"
fi

# ---------------------------------------------------------------------------------------------------
# Binaries and packages.
# The cluster's binaries, and the Pulumi provider plugin that programs using the cluster need.
bash "$K8S_DIR/build.sh" all

need=()
for p in containerd runc containernetworking-plugins etcd-server iptables ipset openssl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
    log "installing from Debian: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
    log "Debian packages present: containerd runc containernetworking-plugins etcd-server iptables ipset openssl"
fi
CNI_BIN=/usr/lib/cni
for p in bridge host-local loopback portmap firewall; do
    [ -x "$CNI_BIN/$p" ] || die "CNI plugin $CNI_BIN/$p missing (package containernetworking-plugins)"
done
ETCD=/usr/bin/etcd
CONTAINERD=/usr/bin/containerd
CTR=/usr/bin/ctr
[ -x "$ETCD" ] && [ -x "$CONTAINERD" ] || die "etcd or containerd missing after install"

# Only cgroup v1 is set up here (these machines); v1.34's kubelet runs on it by default.
[ -d /sys/fs/cgroup/memory ] || die "expected cgroup v1 hierarchies under /sys/fs/cgroup"

# ---------------------------------------------------------------------------------------------------
# Network: the address range must be free; the node address goes on a bridge created here.
in_use="$(ip -4 route show root "$K8S_NET" table all)"
[ -z "$in_use" ] || die "the cluster's range $K8S_NET is in use here (routes: $in_use); nothing was changed"
if ip -4 -o addr show | grep -q "inet ${K8S_NET%%.0.0/16}\."; then
    die "an address in $K8S_NET is on another interface here; nothing was changed"
fi

mkdir -p "$K8S_RUN"/{pids,logs,pki,etcd,containerd,kubelet,pod-logs,cni/net.d,cni/ipam,sysctl,manifests}
mkdir -p "$K8S_MACHINE_DIR"
echo "$K8S_RUN" >"$K8S_OWNER_FILE"
# Everything on the host that down.sh must undo is listed in this file as it is made.
UNDO="$K8S_RUN/undo"
: >"$UNDO"
undo() { echo "$*" >>"$UNDO"; }

log "network: bridge $K8S_BRIDGE with $K8S_NODE_IP/24 (node address); blackhole $K8S_NET; services $K8S_SERVICE_CIDR and load balancers $K8S_LB_CIDR onto $K8S_BRIDGE"
ip link add "$K8S_BRIDGE" type bridge
undo "link $K8S_BRIDGE"
ip addr add "$K8S_NODE_IP/24" dev "$K8S_BRIDGE"
ip link set "$K8S_BRIDGE" up
# Nothing in the cluster's range may leave through the default route: the whole range is a blackhole;
# the node's /24 (this bridge) and the pod subnet (the CNI bridge) are more specific. Service IPs are
# routed onto this bridge, which has no ports: the host can reach ClusterIPs (kube-proxy rewrites
# them before the packet leaves), and a Service IP without a Service goes nowhere. (A blackhole
# there would fail every connect() from the host before kube-proxy's rules see the packet.)
ip route replace blackhole "$K8S_NET"
undo "route blackhole $K8S_NET"
ip route replace "$K8S_SERVICE_CIDR" dev "$K8S_BRIDGE" src "$K8S_NODE_IP"
undo "route $K8S_SERVICE_CIDR"
# Load balancer addresses likewise: kube-proxy rewrites a LoadBalancer Service's ingress IP as it does a
# ClusterIP, and an address no Service holds goes nowhere.
ip route replace "$K8S_LB_CIDR" dev "$K8S_BRIDGE" src "$K8S_NODE_IP"
undo "route $K8S_LB_CIDR"

# iptables: remember the chains that exist now, so that down.sh removes only the ones this cluster
# added; and never let the cluster's traffic out through the default route.
for ipt in $IPTABLES_FRONT_ENDS; do
    command -v "$ipt" >/dev/null || continue
    for t in filter nat mangle; do
        $ipt -t "$t" -S 2>/dev/null | awk -v t="$t" '$1 == "-N" { print t, $2 }'
    done >"$K8S_MACHINE_DIR/chains-before.$ipt"
done
# In mangle POSTROUTING, which Docker, the CNI plugins and kube-proxy leave alone (in filter FORWARD
# the CNI firewall plugin's ACCEPTs come first).
iptables -t mangle -N RS-K8S-EGRESS
undo "chain RS-K8S-EGRESS"
for dev in $(ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }' | sort -u); do
    iptables -t mangle -A RS-K8S-EGRESS -o "$dev" -s "$K8S_NET" -j DROP
    iptables -t mangle -A RS-K8S-EGRESS -o "$dev" -d "$K8S_NET" -j DROP
    log "network: packets from or to $K8S_NET are dropped on $dev (default route)"
done
iptables -t mangle -I POSTROUTING 1 -j RS-K8S-EGRESS

# cgroups: the kubelet's pods go under rs-k8s in every v1 hierarchy (its cgroupRoot).
for h in /sys/fs/cgroup/*/; do
    h="${h%/}"
    [ "$(basename "$h")" = unified ] && continue
    mkdir -p "$h/rs-k8s"
    if [ -f "$h/cpuset.cpus" ]; then
        cat "$h/cpuset.cpus" >"$h/rs-k8s/cpuset.cpus"
        cat "$h/cpuset.mems" >"$h/rs-k8s/cpuset.mems"
    fi
done
undo "cgroups rs-k8s"

# The runtime directory becomes a shared mount, so that what the kubelet mounts in its own mount
# namespace (secrets, projected volumes) is seen by containerd in this one.
mount --bind "$K8S_RUN" "$K8S_RUN"
mount --make-rshared "$K8S_RUN"
undo "mount $K8S_RUN"

if [ ! -d /tmp/hostpath_pv ]; then
    mkdir -p /tmp/hostpath_pv
    touch /tmp/hostpath_pv/.redis-stack-k8s
fi
# Directories the kubelet and containerd create outside the runtime directory (fixed paths in them).
for d in /var/log/containers /var/lib/cni /var/lib/cni/results /var/run/netns; do
    [ -d "$d" ] || undo "dir $d"
done

# ---------------------------------------------------------------------------------------------------
# Certificates and kubeconfigs.
bash "$K8S_DIR/pki.sh"

# ---------------------------------------------------------------------------------------------------
# containerd of its own: own root, state, sockets and runc root under the runtime directory.
CD="$K8S_RUN/containerd"
CONTAINERD_SOCK="$CD/containerd.sock"
PAUSE_IMAGE="localhost/redis-stack/pause:1"
cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$CD/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # These machines lack CAP_SYS_RESOURCE: runc cannot lower oom_score_adj below its own.
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$CD/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$K8S_RUN/cni/net.d"
EOF

# CNI: a bridge with host-local addresses; portmap for hostPorts; firewall so that pod traffic passes
# Docker's FORWARD policy (DROP); no masquerade (pods only talk to this machine).
cat >"$K8S_RUN/cni/net.d/10-rs-k8s.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "rs-k8s",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$K8S_POD_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$K8S_RUN/cni/ipam",
        "ranges": [[{ "subnet": "$K8S_POD_SUBNET" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "firewall" }
  ]
}
EOF
cat >"$K8S_RUN/cni/net.d/99-loopback.conf" <<EOF
{ "cniVersion": "0.4.0", "name": "lo", "type": "loopback" }
EOF
undo "link $K8S_POD_BRIDGE"
undo "cni-cache rs-k8s"

start_component containerd "$CONTAINERD" --config "$CD/config.toml"
wait_for "containerd socket" 30 "$CTR" --address "$CONTAINERD_SOCK" version

# Images: the pause image built here (the project's Redis and metrics images follow, once the node is up).
bash "$K8S_DIR/images.sh" pause "$CONTAINERD_SOCK" "$PAUSE_IMAGE"

# ---------------------------------------------------------------------------------------------------
# Control plane.
P="$K8S_RUN/pki"
start_component etcd "$ETCD" --name rs-k8s --data-dir "$K8S_RUN/etcd/data" \
    --listen-client-urls "http://127.0.0.1:$K8S_ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$K8S_ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$K8S_ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$K8S_ETCD_PEER_PORT" \
    --initial-cluster "rs-k8s=http://127.0.0.1:$K8S_ETCD_PEER_PORT" --listen-metrics-urls "" --logger zap --log-level warn
wait_for "etcd health" 30 curl -fsS "http://127.0.0.1:$K8S_ETCD_CLIENT_PORT/health"

start_component kube-apiserver "$K8S_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$K8S_ETCD_CLIENT_PORT" \
    --bind-address "$K8S_NODE_IP" --advertise-address "$K8S_NODE_IP" --secure-port "$K8S_API_PORT" \
    --service-cluster-ip-range "$K8S_SERVICE_CIDR" \
    --tls-cert-file "$P/apiserver.crt" --tls-private-key-file "$P/apiserver.key" --client-ca-file "$P/ca.crt" \
    --kubelet-client-certificate "$P/apiserver-kubelet-client.crt" --kubelet-client-key "$P/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$P/ca.crt" --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$P/sa.pub" --service-account-signing-key-file "$P/sa.key" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --requestheader-client-ca-file "$P/ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$P/front-proxy-client.crt" --proxy-client-key-file "$P/front-proxy-client.key" \
    --allow-privileged=true --profiling=false --v=1
# The controller-manager exits if it starts before RBAC bootstrap is done: wait for readyz=ok.
wait_for "kube-apiserver /readyz" 60 kctl get --raw /readyz
log "kube-apiserver ready $(elapsed "$t_start") s after start of up.sh"

start_component kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig "$K8S_RUN/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$K8S_RUN/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$K8S_RUN/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$P/sa.key" --root-ca-file "$P/ca.crt" \
    --cluster-signing-cert-file "$P/ca.crt" --cluster-signing-key-file "$P/ca.key" \
    --service-cluster-ip-range "$K8S_SERVICE_CIDR" --allocate-node-cidrs=false \
    --enable-hostpath-provisioner --profiling=false --v=1
start_component kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig "$K8S_RUN/scheduler.kubeconfig" \
    --authentication-kubeconfig "$K8S_RUN/scheduler.kubeconfig" \
    --authorization-kubeconfig "$K8S_RUN/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false --v=1

# ---------------------------------------------------------------------------------------------------
# Node: kubelet and kube-proxy.
cat >"$K8S_RUN/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $K8S_NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $P/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $P/kubelet.crt
tlsPrivateKeyFile: $P/kubelet.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: /rs-k8s
podLogsDir: $K8S_RUN/pod-logs
# No cluster DNS here; pods get an empty resolv.conf rather than this machine's resolvers.
resolvConf: ""
failSwapOn: false
# Images cannot be pulled again here: never garbage-collect them; evict only when really short.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%" }
serializeImagePulls: false
EOF
# The kubelet sets some kernel sysctls (vm.overcommit_memory, kernel.panic, kernel.panic_on_oops, ...)
# to its defaults. It must not change this shared machine: it runs in a mount namespace of its own
# where those files read as the values it wants (see kubelet.sh); the host keeps its values.
start_component kubelet "$K8S_DIR/kubelet.sh" "$K8S_RUN/sysctl" "$K8S_BIN/kubelet" \
    --config "$K8S_RUN/kubelet/config.yaml" --kubeconfig "$K8S_RUN/kubelet.kubeconfig" \
    --root-dir "$K8S_RUN/kubelet" --cert-dir "$K8S_RUN/kubelet/pki" \
    --hostname-override "$K8S_NODE_NAME" --node-ip "$K8S_NODE_IP" --v=1

cat >"$K8S_RUN/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: $K8S_RUN/kube-proxy.kubeconfig }
hostnameOverride: $K8S_NODE_NAME
bindAddress: $K8S_NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clusterCIDR: $K8S_CLUSTER_CIDR
# NodePorts on the node address only: no route_localnet sysctl, nothing on other interfaces.
nodePortAddresses: ["$K8S_NODE_IP/32"]
iptables: { localhostNodePorts: false }
# Leave the machine's conntrack sysctls as they are.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
start_component kube-proxy "$K8S_BIN/kube-proxy" --config "$K8S_RUN/kube-proxy.yaml" --v=1

wait_for "node $K8S_NODE_NAME Ready" 90 kctl wait --for=condition=Ready "node/$K8S_NODE_NAME" --timeout=2s
# The controllers work once the default namespace has its service account (pods in a namespace are
# refused until it has one).
LAST_STARTED=kube-controller-manager wait_for "service account default/default" 60 kctl -n default get serviceaccount default
log "node Ready $(elapsed "$t_start") s after start of up.sh"

# NetworkPolicies enforced (the stacks declare one): kube-router's firewall part, once the node it runs
# for is registered; kube-proxy keeps the Services and the CNI bridge the routes. It filters in iptables
# (chains KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*) with ipsets, which down.sh removes, keeping the
# sets that were here before it. Its load balancer allocator too: a LoadBalancer Service gets an address
# from $K8S_LB_CIDR in its status, as a cloud's controller would give one (nothing is announced: the
# route above is the only way to it). The allocator takes a Lease in kube-system as leader, named by the
# POD_NAMESPACE and POD_NAME it would have in a pod.
ipset list -n 2>/dev/null | sort >"$K8S_RUN/ipsets-before"
# Its rules go into the legacy iptables tables, apart from Docker's and kube-proxy's (nf_tables): kube-router
# v2.1.0 saves and restores a whole table at each sync (cloudnativelabs/kube-router#1248, #1372), which wiped
# rules Docker added meanwhile (a test network's, seen once: its containers could no longer reach each other).
# The kernel applies both sets of tables, so its policies still hold. Without the legacy tools: the host's own.
legacy_bin="$K8S_RUN/iptables-legacy-bin"
if command -v iptables-legacy >/dev/null && command -v iptables-legacy-save >/dev/null && command -v iptables-legacy-restore >/dev/null; then
    mkdir -p "$legacy_bin"
    for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
        legacy="$(command -v "${tool/tables/tables-legacy}" || true)"
        [ -n "$legacy" ] && ln -sf "$legacy" "$legacy_bin/$tool"
    done
    log "kube-router: its rules in the legacy iptables tables ($legacy_bin first on its PATH)"
else
    legacy_bin=""
    log "warning: no iptables-legacy here: kube-router shares the iptables tables with Docker (a sync may wipe a rule Docker adds meanwhile)"
fi
# Its kubeconfig under the runtime directory: a process counts as this cluster's (procs.sh) only while its
# command line names that directory, so down.sh would not stop it otherwise.
install -m 600 "$K8S_KUBECONFIG" "$K8S_RUN/kube-router.kubeconfig"
start_component kube-router env ${legacy_bin:+PATH="$legacy_bin:$PATH"} POD_NAMESPACE=kube-system POD_NAME="kube-router-$K8S_NODE_NAME" \
    "$K8S_BIN/kube-router" --kubeconfig "$K8S_RUN/kube-router.kubeconfig" --hostname-override "$K8S_NODE_NAME" \
    --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
    --run-loadbalancer=true --loadbalancer-ip-range "$K8S_LB_CIDR" \
    --service-cluster-ip-range "$K8S_SERVICE_CIDR" --health-port 0 --v=1

# ---------------------------------------------------------------------------------------------------
# Storage: the controller-manager's built-in hostPath provisioner (--enable-hostpath-provisioner)
# makes a directory under /tmp/hostpath_pv for each claim and removes it when the claim goes.
cat >"$K8S_RUN/manifests/storage.yaml" <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: { storageclass.kubernetes.io/is-default-class: "true" }
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
EOF
kctl apply -f "$K8S_RUN/manifests/storage.yaml" >/dev/null
log "storage: StorageClass local (default), hostPath provisioner in /tmp/hostpath_pv"

# The project's images, from the local Docker engine (built by setup.sh): Redis, the metrics exporter, the backup runner.
REDIS_IMAGE="${REDIS_STACK_LOCAL_IMAGE:-}"
if [ -z "$REDIS_IMAGE" ] && [ -f "$K8S_DIR/../../node_modules/.redis-stack-image" ]; then
    REDIS_IMAGE="$(cat "$K8S_DIR/../../node_modules/.redis-stack-image")"
fi
REDIS_IMAGE="${REDIS_IMAGE:-redis-stack-local/redis:8}"
bash "$K8S_DIR/images.sh" docker "$CONTAINERD_SOCK" "$REDIS_IMAGE"
# The metrics exporter image setup.sh chose (the project's default, else its local build), the same way.
METRICS_IMAGE=""
if [ -f "$K8S_DIR/../../node_modules/.redis-stack-metrics-image" ]; then
    METRICS_IMAGE="$(cat "$K8S_DIR/../../node_modules/.redis-stack-metrics-image")"
fi
if [ -z "$METRICS_IMAGE" ]; then
    METRICS_IMAGE="$(sed -n 's/.*"metricsImage": *"\([^"]*\)".*/\1/p' "$K8S_DIR/../../components/settings/defaults.json")"
    docker image inspect "$METRICS_IMAGE" >/dev/null 2>&1 || METRICS_IMAGE="redis-stack-local/redis-exporter:${METRICS_IMAGE##*:}"
fi
bash "$K8S_DIR/images.sh" docker "$CONTAINERD_SOCK" "$METRICS_IMAGE"
# The scheduled backups' runner image setup.sh built (none before setup: the stacks that schedule backups need it).
if [ -f "$K8S_DIR/../../node_modules/.redis-stack-backup-image" ]; then
    bash "$K8S_DIR/images.sh" docker "$CONTAINERD_SOCK" "$(cat "$K8S_DIR/../../node_modules/.redis-stack-backup-image")"
fi

log "up in $(elapsed "$t_start") s; kubeconfig: $K8S_KUBECONFIG (kubectl: $K8S_BIN/kubectl)"
echo "$K8S_KUBECONFIG"
