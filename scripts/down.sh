#!/usr/bin/env bash
# Removes everything the dev stack (or STACK) made: containers, network, volumes.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
stack="${STACK:-dev}"
require_secrets_provider "$stack"
# A run killed earlier (a CI timeout, a closed laptop) may have left a lock, processes and pending operations.
node -r ./scripts/lib/swc-register.cjs scripts/lib/recover.ts "$stack"
use_run_tmpdir
# exec: the run token names pulumi's own PID, so the next run can tell whether this one is still going.
( export REDIS_STACK_RUN="$stack:$BASHPID:$(date +%s%3N)"; exec pulumi destroy --yes --skip-preview --non-interactive --stack "$stack" )
