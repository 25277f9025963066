#!/usr/bin/env bash
# npm run bench: sets up what is missing, then runs the benchmark (see scripts/bench/main.ts for settings).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
bash scripts/setup.sh --no-stack
export REDIS_STACK_TEST_IMAGE="${REDIS_STACK_TEST_IMAGE:-$(cat node_modules/.redis-stack-image)}"
exec npx ts-node --transpile-only scripts/bench/main.ts
