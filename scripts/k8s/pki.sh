#!/usr/bin/env bash
# Certificates and kubeconfigs for the local cluster (called by up.sh), made with openssl: a CA, the
# API server's serving certificate, client certificates for each component and the admin, the
# kubelet's serving certificate and the service-account key pair. All ECDSA P-256, in $K8S_RUN/pki;
# the admin kubeconfig goes to $K8S_KUBECONFIG. A new CA for every start: nothing outlives down.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P="$K8S_RUN/pki"
mkdir -p "$P"
chmod 700 "$P"
DAYS=3650
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)

openssl req -x509 "${EC[@]}" -keyout "$P/ca.key" -out "$P/ca.crt" -days "$DAYS" -subj "/CN=redis-stack-k8s-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null

# cert NAME SUBJECT EXTENDED_KEY_USAGE [SUBJECT_ALT_NAMES]
cert() {
    local name="$1" subj="$2" eku="$3" san="${4:-}"
    local ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$eku"
    [ -n "$san" ] && ext+="
subjectAltName=$san"
    openssl req -new "${EC[@]}" -keyout "$P/$name.key" -subj "$subj" -out "$P/$name.csr" 2>/dev/null
    openssl x509 -req -in "$P/$name.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -set_serial "0x$(openssl rand -hex 12)" \
        -days "$DAYS" -extfile <(printf '%s\n' "$ext") -out "$P/$name.crt" 2>/dev/null
    rm -f "$P/$name.csr"
}

cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:$K8S_NODE_IP,IP:$K8S_SERVICE_IP,DNS:$K8S_NODE_NAME,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert kubelet "/CN=$K8S_NODE_NAME" serverAuth "IP:$K8S_NODE_IP,DNS:$K8S_NODE_NAME"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert admin "/O=system:masters/CN=redis-stack-admin" clientAuth
cert controller-manager "/CN=system:kube-controller-manager" clientAuth
cert scheduler "/CN=system:kube-scheduler" clientAuth
cert kubelet-client "/O=system:nodes/CN=system:node:$K8S_NODE_NAME" clientAuth
cert kube-proxy "/CN=system:kube-proxy" clientAuth
# The API server's client identity towards aggregated APIs (and what the controllers' authentication
# reads from extension-apiserver-authentication; without it they log errors all the time).
cert front-proxy-client "/CN=front-proxy-client" clientAuth
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$P/sa.key" 2>/dev/null
openssl pkey -in "$P/sa.key" -pubout -out "$P/sa.pub" 2>/dev/null

# kubeconfig FILE CERT_NAME
kubeconfig() {
    local file="$1" name="$2"
    umask 077
    cat >"$file" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: redis-stack-local
  cluster:
    server: https://$K8S_NODE_IP:$K8S_API_PORT
    certificate-authority-data: $(base64 -w0 <"$P/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 <"$P/$name.crt")
    client-key-data: $(base64 -w0 <"$P/$name.key")
contexts:
- name: redis-stack-local
  context: { cluster: redis-stack-local, user: $name }
current-context: redis-stack-local
YAML
}

kubeconfig "$K8S_KUBECONFIG" admin
kubeconfig "$K8S_RUN/controller-manager.kubeconfig" controller-manager
kubeconfig "$K8S_RUN/scheduler.kubeconfig" scheduler
kubeconfig "$K8S_RUN/kubelet.kubeconfig" kubelet-client
kubeconfig "$K8S_RUN/kube-proxy.kubeconfig" kube-proxy
log "pki: CA, 9 certificates and kubeconfigs in $P; admin kubeconfig $K8S_KUBECONFIG"
