#!/usr/bin/env bash
# Stops the local Kubernetes that up.sh started and removes everything it made on this machine,
# leaving only the caches (binaries, Go caches, the pause image) under ~/.cache/redis-stack/k8s.
# Processes are stopped by the PIDs up.sh recorded, never by name. Safe to run when nothing runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$K8S_DIR/procs.sh"

[ "$(id -u)" = 0 ] || die "must run as root"
t0="$(now)"
CONTAINERD_SOCK="$K8S_RUN/containerd/containerd.sock"
UNDO="$K8S_RUN/undo"
undone() { [ -f "$UNDO" ] && grep -qxF "$*" "$UNDO"; }
ctr_() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

if [ ! -d "$K8S_RUN" ] && ! holder_is_this_cluster; then
    log "not running (no $K8S_RUN); nothing to stop"
    rm -f "$K8S_KUBECONFIG"
    exit 0
fi

# 1. No new pods: controllers and scheduler first. Then let the kubelet stop every pod through the CRI
#    (that also tears down their networks: veths, addresses, portmap and firewall rules, netns).
stop_component kube-controller-manager
stop_component kube-scheduler
if component_alive kube-apiserver && component_alive kubelet && component_alive containerd; then
    if kctl get pods -A -o name 2>/dev/null | grep -q .; then
        log "deleting all pods (the kubelet stops their containers and sandboxes)"
        kctl delete pods --all -A --grace-period=1 --timeout=60s >/dev/null 2>&1 || log "some pods did not go within 60 s"
    fi
fi
stop_component kube-router
stop_component kube-proxy
stop_component kubelet

# 2. Whatever is left in our containerd: kill and delete through it (its shims exit with their tasks).
#    Sandboxes not stopped through the CRI leave network namespaces under /var/run/netns: remove those.
if component_alive containerd; then
    netns=()
    for id in $(ctr_ containers ls -q 2>/dev/null); do
        ns="$(ctr_ containers info "$id" 2>/dev/null | grep -o '"/var/run/netns/cni-[0-9a-f-]*"' | tr -d '"' | head -1 || true)"
        [ -n "$ns" ] && netns+=("$ns")
        ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
        for _ in $(seq 50); do
            ctr_ tasks ls -q 2>/dev/null | grep -qx "$id" || break
            ctr_ tasks delete "$id" >/dev/null 2>&1 && break
            sleep 0.1
        done
        ctr_ containers delete "$id" >/dev/null 2>&1 || log "could not delete container $id"
        log "removed leftover container ${id:0:12}"
    done
    for ns in "${netns[@]}"; do
        [ -e "$ns" ] || continue
        umount "$ns" 2>/dev/null || true
        rm -f "$ns"
        log "removed network namespace $ns"
    done
fi
stop_component containerd 15
# Pods' network namespaces that no running containerd could stop (a run interrupted with its processes
# killed): the ones with an address in the cluster's range.
for f in /run/netns/cni-*; do
    [ -e "$f" ] || continue
    ns="${f##*/}"
    ip -n "$ns" -4 -o addr show 2>/dev/null | grep -q " inet ${K8S_NET%%.0.0/16}\." || continue
    ip netns delete "$ns" 2>/dev/null || { umount "$f" 2>/dev/null || true; rm -f "$f"; }
    log "removed network namespace $ns (left by a sandbox never stopped)"
done
stop_component kube-apiserver
stop_component etcd

# 3. Network: bridges (pod veths went with their namespaces), routes, iptables chains.
for l in "$K8S_POD_BRIDGE" "$K8S_BRIDGE"; do
    if ip link show "$l" >/dev/null 2>&1; then
        ip link del "$l"
        log "removed link $l"
    fi
done
ip route del "$K8S_SERVICE_CIDR" 2>/dev/null && log "removed route $K8S_SERVICE_CIDR" || true
ip route del "$K8S_LB_CIDR" 2>/dev/null && log "removed route $K8S_LB_CIDR" || true
ip route del blackhole "$K8S_NET" 2>/dev/null && log "removed route blackhole $K8S_NET" || true

# Chains named KUBE-*, CNI-* or RS-K8S-* that were not there before up.sh: rules that jump to them
# are deleted, then the chains are flushed and deleted, in one iptables-restore per table.
for ipt in $IPTABLES_FRONT_ENDS; do
    command -v "$ipt" >/dev/null || continue
    before="$K8S_RUN/chains-before.$ipt"
    holder_is_this_cluster && before="$K8S_MACHINE_DIR/chains-before.$ipt"
    pattern='^RS-K8S-'
    [ -f "$before" ] && pattern='^(KUBE-|CNI-|RS-K8S-)'
    for t in filter nat mangle; do
        rules="$($ipt -t "$t" -S 2>/dev/null)" || continue
        mapfile -t ours < <(echo "$rules" | awk -v t="$t" -v p="$pattern" '$1 == "-N" && $2 ~ p { print $2 }' |
            while read -r c; do [ -f "$before" ] && grep -qxF "$t $c" "$before" && continue; echo "$c"; done)
        [ "${#ours[@]}" = 0 ] && continue
        {
            echo "*$t"
            echo "$rules" | awk -v list=" ${ours[*]} " '
                $1 == "-A" && index(list, " " $2 " ") == 0 {
                    for (i = 3; i < NF; i++) if (($i == "-j" || $i == "-g") && index(list, " " $(i + 1) " ") > 0) { sub(/^-A/, "-D"); print; break }
                }'
            for c in "${ours[@]}"; do echo "-F $c"; done
            for c in "${ours[@]}"; do echo "-X $c"; done
            echo "COMMIT"
        } | ${ipt}-restore --noflush || log "warning: could not remove all $ipt $t chains: ${ours[*]}"
        log "removed $ipt $t chains: ${ours[*]}"
    done
done

# kube-router's ipsets (KUBE-SRC-*, KUBE-DST-*, kube-router-*), now that no rule refers to them: the ones that
# were not there before up.sh started it.
if command -v ipset >/dev/null && [ -f "$K8S_RUN/ipsets-before" ]; then
    mapfile -t sets < <(ipset list -n 2>/dev/null | grep -E '^(KUBE-(SRC|DST)-|kube-router-)' | grep -vxF -f "$K8S_RUN/ipsets-before" || true)
    for set in "${sets[@]}"; do ipset destroy "$set" 2>/dev/null || log "warning: could not destroy ipset $set"; done
    [ "${#sets[@]}" -gt 0 ] && log "destroyed ${#sets[@]} ipsets of kube-router"
fi

# 4. Mounts under the runtime directory (the kubelet's volumes, containerd's rootfs, the shared bind
#    mount itself), deepest first.
mapfile -t mounts < <(awk -v r="$K8S_RUN" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
for m in "${mounts[@]}"; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "warning: could not unmount $m"
done
[ "${#mounts[@]}" -gt 0 ] && log "unmounted ${#mounts[@]} mounts under $K8S_RUN"

# 5. cgroups under rs-k8s (empty now), deepest first.
for h in /sys/fs/cgroup/*/rs-k8s; do
    [ -d "$h" ] || continue
    find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null || log "warning: could not remove cgroup $h"
done

# 6. Files outside the runtime directory.
if [ -f /tmp/hostpath_pv/.redis-stack-k8s ]; then
    rm -rf /tmp/hostpath_pv
    log "removed /tmp/hostpath_pv (volumes of the local StorageClass)"
fi
if [ -d /var/log/containers ]; then
    find /var/log/containers -maxdepth 1 -type l -lname "$K8S_RUN/*" -delete
    undone "dir /var/log/containers" && rmdir /var/log/containers 2>/dev/null || true
fi
if [ -d /var/lib/cni/results ]; then
    find /var/lib/cni/results -maxdepth 1 -name 'rs-k8s-*' -delete
fi
for d in /var/lib/cni/results /var/lib/cni /var/run/netns; do
    undone "dir $d" && [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
done

rm -rf "$K8S_RUN"
rm -f "$K8S_KUBECONFIG"
if holder_is_this_cluster; then
    rm -f "$K8S_OWNER_FILE" "$K8S_MACHINE_DIR"/chains-before.*
    rmdir "$K8S_MACHINE_DIR" 2>/dev/null || true
fi
log "down in $(elapsed "$t0") s"
