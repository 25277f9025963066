#!/usr/bin/env bash
# Brings the dev stack (or STACK) up, installing whatever is missing first, then prints the outputs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
stack="${STACK:-dev}"
require_secrets_provider "$stack"
# Setup records this machine's settings in the dev stack's config only; another stack keeps its own.
if [ "$stack" = dev ]; then bash scripts/setup.sh; else bash scripts/setup.sh --no-stack; fi
# A run killed earlier (a CI timeout, a closed laptop) may have left a lock, processes, pending operations
# or a checkpoint cut off mid-write: recovered first, since `pulumi stack select` already loads the checkpoint.
node -r ./scripts/lib/swc-register.cjs scripts/lib/recover.ts "$stack"
use_run_tmpdir
pulumi stack select "$stack" --create --non-interactive >/dev/null
# The plugin the stack's runtime needs (the dev stack's was seen to by setup).
[ "$stack" = dev ] || bash scripts/lib/runtime-plugins.sh "$stack"
# exec: the run token names pulumi's own PID, so the next run can tell whether this one is still going.
( export REDIS_STACK_RUN="$stack:$BASHPID:$(date +%s%3N)"; exec pulumi up --yes --skip-preview --non-interactive --stack "$stack" )
pulumi stack output --json --stack "$stack"
