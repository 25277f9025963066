#!/usr/bin/env bash
# The whole test suite, installing and building whatever is missing first: type check, lint, format, unit,
# integration (real containers), end-to-end (real Pulumi engine, real Docker, the local Kubernetes).
# Prints the time each step took (`[test] <step>: N s`), mocha's time by part, and one closing line
# `N passed, N failed, N skipped`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
# step NAME COMMAND...: runs COMMAND and prints how long it took.
step() {
  local name="$1" t0=$SECONDS
  shift
  echo "[test] $name"
  "$@"
  echo "[test] $name: $((SECONDS - t0)) s"
}
step "setup (npm packages, Docker engine, Redis image, Pulumi toolchain)" bash scripts/setup.sh --no-stack
# The Kubernetes e2e tests' cluster and Pulumi's provider for it: built here, where it shows as a step of
# its own, not inside a test's hook (each part is rebuilt only when missing or changed).
step "local Kubernetes and pulumi-resource-kubernetes (scripts/k8s/build.sh)" bash scripts/k8s/build.sh all
# The version matrix's images (test/e2e/versions.test.ts, kubernetesVersions.test.ts): Redis 8.0 and Valkey
# 8.1 from Debian trixie's packages, kept in a download cache (seconds once built or cached).
step "Redis 8.0 and Valkey 8.1 images (scripts/lib/redis-image.sh)" bash -c \
  'for image in "$@"; do bash scripts/lib/redis-image.sh "$image" >/dev/null; done' images \
  "$REDIS_STACK_LOCAL_IMAGE_REDIS8" "$REDIS_STACK_LOCAL_IMAGE_VALKEY8"
export REDIS_STACK_TEST_IMAGE="${REDIS_STACK_TEST_IMAGE:-$(cat node_modules/.redis-stack-image)}"
step "type check (tsc --noEmit, strict)" npx tsc --noEmit -p .
step "lint (typescript-eslint) and format (prettier --check)" bash -c 'npx eslint . && npx prettier --check --log-level warn .'
echo "[test] unit, integration and end-to-end suites"
exec npx mocha --timeout 600000 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts' 'test/e2e/**/*.test.ts'
