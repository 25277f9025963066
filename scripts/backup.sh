#!/usr/bin/env bash
# A backup of the dev stack (or STACK) now: every master's and the standalone node's RDB and a manifest, in a
# new directory under BACKUP_DIR (default .redis-stack/backups/<name prefix>); prints that directory last.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REDIS_STACK_ROOT"
stack="${STACK:-dev}"
require_secrets_provider "$stack"
node -r ./scripts/lib/swc-register.cjs scripts/lib/backup.ts "$stack" "${BACKUP_DIR:-}"
