#!/usr/bin/env bash
# The part of CI that a normal user runs (.ci/run calls it as an unprivileged user): exactly the
# README's commands on a clone, nothing installed system-wide.
set -euo pipefail
cd "$1"
echo "== as $(id -un) (uid $(id -u)), HOME=$HOME"
stop_stack() { node bin/ria.js stack down || bash scripts/stack.sh down || true; }
trap stop_stack EXIT

echo "== npm ci"
time npm ci --no-audit --no-fund

echo "== lint (biome; import rules: .dependency-cruiser.cjs)"
npm run lint

echo "== npm test (the README's test command: checks the prerequisites, builds the tools once, brings the local stack up)"
# The stack stays up between npm test and the fault tests (.ci/run stops it).
export RIA_KEEP_STACK=1
# A hang fails the run with a line rather than running into CI's own limit (90 minutes) silently:
# npm test takes about 25 minutes here and the fault tests about 7 (docs/testing.md).
bounded() {
  local minutes=$1; shift
  local rc=0
  timeout --signal=TERM --kill-after=60 "${minutes}m" "$@" || rc=$?
  if [ "$rc" = 124 ]; then
    echo "CI: '$*' did not finish in $minutes minutes — a test hangs (vitest names only the files it finished)" >&2
  fi
  return "$rc"
}
time bounded 45 npm test

echo "== fault-injection tests (they stop and freeze the shared services, so they run last)"
time bounded 15 npm run test:faults
