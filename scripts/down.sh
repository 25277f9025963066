#!/usr/bin/env bash
# Removes everything the dev stack (or STACK) made: containers, network, volumes.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
stack="${STACK:-dev}"
pulumi destroy --yes --skip-preview --non-interactive --stack "$stack"
