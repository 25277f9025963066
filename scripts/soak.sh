#!/usr/bin/env bash
# npm run soak: a chaos soak of a stack of its own (see scripts/soak.ts; SOAK_SECONDS bounds it, default 180).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
bash scripts/setup.sh --no-stack
export REDIS_STACK_TEST_IMAGE="${REDIS_STACK_TEST_IMAGE:-$(cat node_modules/.redis-stack-image)}"
exec npx ts-node --transpile-only scripts/soak.ts
