#!/usr/bin/env bash
# Runs the test suite (`pnpm test`, or the command given) with CPU-bound
# processes beside it, to prove the suite holds on a busy machine: the
# tests wait on conditions with bounds that leave room for a stalled CPU.
#   test/tools/loaded-run.sh                 # one hog, pnpm test (PGlite)
#   HOGS=2 test/tools/loaded-run.sh pnpm test test/src/receivers.hostile.test.ts
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/x test/tools/loaded-run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

hogs=()
stop_hogs() { for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_hogs EXIT

for _ in $(seq "${HOGS:-1}"); do
  node -e 'for (;;) {}' &
  hogs+=("$!")
done
echo "loaded-run: ${#hogs[@]} CPU hog(s) on $(nproc) CPU(s): ${hogs[*]}"

if [[ $# -eq 0 ]]; then set -- pnpm test; fi
"$@"
