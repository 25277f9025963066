#!/usr/bin/env bash
# Where a `pulumi up` of the default-shaped stack spends its time, and what `npm run up` does besides it.
# Run under the Docker lock: flock /tmp/redis-stack-docker.lock bash scripts/bench/profile.sh [out-dir]
# Creates a throwaway stack (the benchmark's ports 8000+/6990, subnet 172.30.130.0/24) on a temporary backend,
# and prints: the engine's milestones of an `up` from nothing and of a no-op `up` (-v=9 log), the busy time per
# component of each node process of a no-op `up` (CPU profiles), and each step of `npm run up` over 40 ms.
# Keeps the raw logs and profiles in out-dir (default: a new temp dir). Destroys the stack on exit.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$REDIS_STACK_ROOT"
out="${1:-$(mktemp -d /tmp/redis-stack-profile.XXXX)}"
mkdir -p "$out/cpu"
backend=$(mktemp -d /tmp/redis-stack-profile-backend.XXXX)
export PULUMI_BACKEND_URL="file://$backend" PULUMI_CONFIG_PASSPHRASE=profile PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
stack="profile$$"
analyze() { npx ts-node --transpile-only scripts/bench/profile/analyze.ts "$@"; }
up() { pulumi up --yes --skip-preview --non-interactive --stack "$stack" "$@"; }
cleanup() {
  pulumi destroy --yes --skip-preview --non-interactive --stack "$stack" >/dev/null 2>&1 || true
  pulumi stack rm --yes --force --stack "$stack" >/dev/null 2>&1 || true
  rm -f "Pulumi.$stack.yaml"
  rm -rf "$backend"
}
trap cleanup EXIT

pulumi stack init "$stack" --non-interactive >/dev/null
for kv in runtime=engine "image=$(cat node_modules/.redis-stack-image)" masters=3 basePort=8000 standalonePort=6990 subnet=172.30.130.0/24; do
  pulumi config set --stack "$stack" "redis-stack:${kv%%=*}" "${kv#*=}"
done

echo "== up from nothing"
up --logtostderr --logflow -v=9 >/dev/null 2>"$out/up.log"
analyze engine-log "$out/up.log"
up >/dev/null # warm-up
echo "== no-op up"
up --logtostderr --logflow -v=9 >/dev/null 2>"$out/noop.log"
analyze engine-log "$out/noop.log"
echo "== no-op up, CPU profile of each node process"
REDIS_STACK_PROF_DIR="$out/cpu" NODE_OPTIONS="--require $REDIS_STACK_ROOT/scripts/bench/profile/cpuprofHook.js" up >/dev/null
analyze cpu "$out"/cpu/*cmd_run*.cpuprofile "$out"/cpu/*dynamic_provider*.cpuprofile
echo "== npm run up (stack up to date), each step"
# setup.sh may write the dev stack's file (untracked, absent in a fresh clone); put it back as it was.
devfile=$(mktemp); had_devfile=false
if [ -f Pulumi.dev.yaml ]; then cp Pulumi.dev.yaml "$devfile"; had_devfile=true; fi
printf '%s\n' "PS4='+ \$EPOCHREALTIME \${BASH_SOURCE##*/}:\${LINENO}: '" 'set -x' > "$out/xtrace.bash"
started=$(date +%s%N)
BASH_ENV="$out/xtrace.bash" STACK="$stack" npm run up >/dev/null 2>"$out/npm-up.trace" || true
echo "npm run up took $(( ($(date +%s%N) - started) / 1000000 )) ms in all"
if $had_devfile; then cp "$devfile" Pulumi.dev.yaml; else rm -f Pulumi.dev.yaml; fi; rm -f "$devfile"
analyze trace "$out/npm-up.trace"
echo "raw logs and profiles: $out"
