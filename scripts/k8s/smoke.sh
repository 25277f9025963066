#!/usr/bin/env bash
# Smoke check of the local Kubernetes (after up.sh): a 2-pod StatefulSet of the project's Redis image
# with a PersistentVolumeClaim each; both pods Ready; redis-cli PING answers PONG in each (through
# `kubectl exec`), from one pod to the other over the pod network, and from this machine through a
# ClusterIP Service; Redis's data lands in the claim's volume; then everything is deleted.
# Prints how long the pods took to be Ready.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -f "$K8S_KUBECONFIG" ] || die "no cluster: run scripts/k8s/up.sh first"
IMAGE="${REDIS_STACK_LOCAL_IMAGE:-}"
if [ -z "$IMAGE" ] && [ -f "$K8S_DIR/../../node_modules/.redis-stack-image" ]; then
    IMAGE="$(cat "$K8S_DIR/../../node_modules/.redis-stack-image")"
fi
IMAGE="${IMAGE:-redis-stack-local/redis:8}"
NS="rs-k8s-smoke"

cleanup() { kctl delete namespace "$NS" --wait=true --timeout=60s >/dev/null 2>&1 || true; }
trap cleanup EXIT

t0="$(now)"
kctl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: { name: $NS }
---
apiVersion: v1
kind: Service
metadata: { name: redis, namespace: $NS }
spec:
  clusterIP: None
  selector: { app: redis }
  ports: [{ name: redis, port: 6379 }]
---
apiVersion: v1
kind: Service
metadata: { name: redis-0, namespace: $NS }
spec:
  selector: { statefulset.kubernetes.io/pod-name: redis-0 }
  ports: [{ name: redis, port: 6379 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: redis, namespace: $NS }
spec:
  serviceName: redis
  replicas: 2
  podManagementPolicy: Parallel
  selector: { matchLabels: { app: redis } }
  template:
    metadata: { labels: { app: redis } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: redis
          image: $IMAGE
          imagePullPolicy: Never
          args: ["redis-server", "--protected-mode", "no", "--appendonly", "yes"]
          ports: [{ containerPort: 6379, name: redis }]
          readinessProbe:
            exec: { command: ["redis-cli", "ping"] }
            periodSeconds: 1
          volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec:
        accessModes: ["ReadWriteOnce"]
        resources: { requests: { storage: 1Gi } }
EOF
kctl -n "$NS" rollout status statefulset/redis --timeout=120s >/dev/null
ready="$(elapsed "$t0")"
log "smoke: 2 pods Ready ${ready} s after apply (StatefulSet, PVC each)"
kctl -n "$NS" get pods,pvc -o wide >&2

for i in 0 1; do
    answer="$(kctl -n "$NS" exec "redis-$i" -- redis-cli ping)"
    [ "$answer" = PONG ] || die "smoke: redis-$i answered '$answer' to PING"
    log "smoke: redis-$i: PING -> $answer (kubectl exec)"
done
ip1="$(kctl -n "$NS" get pod redis-1 -o jsonpath='{.status.podIP}')"
answer="$(kctl -n "$NS" exec redis-0 -- redis-cli -h "$ip1" ping)"
[ "$answer" = PONG ] || die "smoke: redis-0 -> redis-1 ($ip1) answered '$answer'"
log "smoke: redis-0 -> redis-1 at $ip1: PING -> $answer (pod network)"
# From this machine through a ClusterIP (kube-proxy's rules; the Service range is routed locally).
cip="$(kctl -n "$NS" get service redis-0 -o jsonpath='{.spec.clusterIP}')"
answer="$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/6379"; printf "PING\r\n" >&3; head -c 5 <&3' _ "$cip" || true)"
[ "$answer" = "+PONG" ] || die "smoke: this machine -> ClusterIP $cip:6379 answered '$answer'"
log "smoke: this machine -> Service redis-0 at ClusterIP $cip: PING -> PONG"

# Redis's data directory is the claim's volume: its append-only files are in the PV's host directory.
pv="$(kctl -n "$NS" get pvc data-redis-0 -o jsonpath='{.spec.volumeName}')"
dir="$(kctl get pv "$pv" -o jsonpath='{.spec.hostPath.path}')"
[ -d "$dir/appendonlydir" ] || die "smoke: no appendonlydir in $dir, the volume of data-redis-0"
log "smoke: redis-0 keeps its data in $pv ($dir)"

t1="$(now)"
cleanup
trap - EXIT
left="$(kctl get pv -o name 2>/dev/null | wc -l)"
log "smoke: deleted in $(elapsed "$t1") s (persistent volumes left: $left)"
log "smoke: ok (pods Ready in $ready s)"
