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
# Local dev stacks only: encrypts secrets in the local state. Set your own for shared stacks.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-redis-stack-local-dev}"
# The image tests and the local dev stack run when no registry can be reached (built by setup).
export REDIS_STACK_LOCAL_IMAGE="${REDIS_STACK_LOCAL_IMAGE:-redis-stack-local/redis:7}"
