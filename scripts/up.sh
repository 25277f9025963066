#!/usr/bin/env bash
# Brings the dev stack (or STACK) up, installing whatever is missing first, then prints the outputs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
bash scripts/setup.sh
stack="${STACK:-dev}"
pulumi stack select "$stack" --create --non-interactive >/dev/null
pulumi up --yes --skip-preview --non-interactive --stack "$stack"
pulumi stack output --json --stack "$stack"
