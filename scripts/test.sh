#!/usr/bin/env bash
# The whole test suite, installing whatever is missing first: type check, lint, format, unit, integration (real
# containers), end-to-end (real Pulumi engine). Prints one closing line `N passed, N failed, N skipped`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
bash scripts/setup.sh --no-stack
export REDIS_STACK_TEST_IMAGE="${REDIS_STACK_TEST_IMAGE:-$(cat node_modules/.redis-stack-image)}"
echo "[test] type check (tsc --noEmit, strict)"
npx tsc --noEmit -p .
echo "[test] lint (typescript-eslint) and format (prettier --check)"
npx eslint .
npx prettier --check --log-level warn .
echo "[test] unit, integration and end-to-end suites"
exec npx mocha --timeout 600000 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts' 'test/e2e/**/*.test.ts'
