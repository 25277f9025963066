#!/usr/bin/env bash
# The README's quick start as a newcomer types it: `npm run up`, then `npm test` with the dev stack still up, and
# nothing in between. The dev stack is taken down afterwards; the exit status is the first command that failed.
# .ci/run runs this on a new machine (scripts/as-new-machine.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
npm run up || exit $?
status=0
npm test || status=$?
npm run down || { echo "[quick-start] npm run down failed" >&2; [ "$status" -ne 0 ] || status=1; }
exit "$status"
