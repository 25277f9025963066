#!/usr/bin/env bash
# Runs the kubelet (up.sh starts it through this) in a mount namespace of its own, in which the kernel
# sysctls it insists on read as the values it wants, so that it never writes them on this shared
# machine (it would set kernel.panic_on_oops=1, vm.overcommit_memory=1, kernel.panic=10, ...).
# The runtime directory is a shared mount, so the kubelet's volume mounts still reach containerd.
# Usage: kubelet.sh SYSCTL_DIR KUBELET [ARGS...]
set -euo pipefail
if [ "${RS_K8S_KUBELET_NS:-}" != 1 ]; then
    exec env RS_K8S_KUBELET_NS=1 unshare --mount --propagation unchanged -- bash "$0" "$@"
fi
dir="$1"
shift
# Binds below /proc stay in this namespace.
mount --make-rprivate /proc
# What the kubelet's setupKernelTunables (pkg/kubelet/cm/container_manager_linux.go, v1.34) expects.
declare -A want=(
    [vm/overcommit_memory]=1 [vm/panic_on_oom]=0 [kernel/panic]=10 [kernel/panic_on_oops]=1
    [kernel/keys/root_maxkeys]=1000000 [kernel/keys/root_maxbytes]=25000000
)
for k in "${!want[@]}"; do
    if [ "$(cat "/proc/sys/$k")" != "${want[$k]}" ]; then
        f="$dir/${k//\//.}"
        echo "${want[$k]}" >"$f"
        mount --bind "$f" "/proc/sys/$k"
        echo "kubelet.sh: /proc/sys/$k reads ${want[$k]} in the kubelet's mount namespace only" >&2
    fi
done
exec "$@"
