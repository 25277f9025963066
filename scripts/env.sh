# Sourced by the scripts: where the Pulumi toolchain and state live. A backend or passphrase already in
# the environment (a team's shared backend, CI secrets) wins over these local defaults.
REDIS_STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REDIS_STACK_ROOT
# Last on PATH: the pulumi-resource-kubernetes that scripts/k8s/build.sh builds where the official plugin
# cannot be downloaded (the CLI uses a plugin it finds on PATH); anything of the user's comes first.
export PATH="$HOME/.pulumi/bin:$REDIS_STACK_ROOT/node_modules/.bin:$PATH:${REDIS_STACK_K8S_CACHE:-$HOME/.cache/redis-stack/k8s}/bin"
export PULUMI_SKIP_UPDATE_CHECK=true
# Type checking is the test suite's job (tsc --noEmit); skipping it in `pulumi up` saves about 5 s a run.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! { [ -f "$HOME/.pulumi/credentials.json" ] && grep -q '"current": *"[^"]' "$HOME/.pulumi/credentials.json"; }; then
  # No backend configured: local state under the project (gitignored), no account needed.
  export PULUMI_BACKEND_URL="file://$REDIS_STACK_ROOT/.pulumi-state"
  mkdir -p "$REDIS_STACK_ROOT/.pulumi-state"
fi
# Where setup found that plugins cannot be downloaded, do not let every run try (about 1.2 s each).
if [ -f "$REDIS_STACK_ROOT/node_modules/.redis-stack-no-plugin-downloads" ]; then
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
fi
# The built-in passphrase encrypts secrets in this checkout's own local state (.pulumi-state) only: anyone who has
# read this repository knows it, so any other backend needs a passphrase (or secrets provider) of the user's own.
REDIS_STACK_LOCAL_BACKEND="file://$REDIS_STACK_ROOT/.pulumi-state"
if [ "${PULUMI_BACKEND_URL:-}" = "$REDIS_STACK_LOCAL_BACKEND" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-redis-stack-local-dev}"
fi

# require_secrets_provider STACK: stops the script, saying what to set, before anything runs on STACK when its
# secrets would be encrypted with nothing the user chose (its backend is not the local one, and there is no
# passphrase, no service that encrypts for it, and no other secrets provider in its config file).
require_secrets_provider() {
  local stack="$1" backend="${PULUMI_BACKEND_URL:-}"
  [ -n "${PULUMI_CONFIG_PASSPHRASE+set}" ] || [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] && return 0
  if [ -z "$backend" ] && [ -f "$HOME/.pulumi/credentials.json" ]; then
    backend=$(sed -n 's/.*"current": *"\([^"]*\)".*/\1/p' "$HOME/.pulumi/credentials.json" | head -n 1)
  fi
  # The Pulumi Cloud (or a self-hosted service) encrypts a stack's secrets itself.
  case "$backend" in https://* | http://*) return 0 ;; esac
  if grep -Eq '^secretsprovider: *(awskms|azurekeyvault|gcpkms|hashivault)://' "$REDIS_STACK_ROOT/Pulumi.$stack.yaml" 2>/dev/null; then
    return 0
  fi
  printf '%s\n' "error: stack $stack on backend $backend has no passphrase: its secrets (the password, the ACL users' passwords, TLS keys) would be encrypted with one that anyone who has read this repository knows; nothing was run." \
    "Set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to your team's passphrase, or give the stack another secrets provider (pulumi stack init $stack --secrets-provider awskms://...)." \
    "The built-in passphrase is used only for this checkout's own local state ($REDIS_STACK_LOCAL_BACKEND)." >&2
  exit 1
}
# use_run_tmpdir: this script's Pulumi run gets a temporary directory of its own, removed when the script
# exits. pulumi-resource-kubernetes (4.24.1) writes the kubeconfig it is given to a new file in TMPDIR each
# time it starts and never removes it; without this, every run on Kubernetes would leave one in /tmp.
use_run_tmpdir() {
  REDIS_STACK_RUN_TMPDIR="$(mktemp -d)"
  trap 'rm -rf "$REDIS_STACK_RUN_TMPDIR"' EXIT
  export TMPDIR="$REDIS_STACK_RUN_TMPDIR"
}
# The image tests and the local dev stack run when the default (redis:8.0.2) cannot be pulled: the same Redis
# 8.0.2, built by setup from Debian's packages.
export REDIS_STACK_LOCAL_IMAGE="${REDIS_STACK_LOCAL_IMAGE:-redis-stack-local/redis:8}"
# The other versions the test suite runs (test/e2e/versions.test.ts), built by scripts/test.sh.
export REDIS_STACK_LOCAL_IMAGE_REDIS7="${REDIS_STACK_LOCAL_IMAGE_REDIS7:-redis-stack-local/redis:7}"
export REDIS_STACK_LOCAL_IMAGE_VALKEY8="${REDIS_STACK_LOCAL_IMAGE_VALKEY8:-redis-stack-local/valkey:8}"
