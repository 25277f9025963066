#!/usr/bin/env bash
# Runs the example service against the dev stack (or STACK).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
exec npx ts-node --transpile-only examples/service/index.ts
