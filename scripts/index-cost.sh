#!/usr/bin/env bash
# What an index costs order capture: serves a fresh demo on SQLite, warms it up and restocks
# it as scripts/bench.sh does, drops the named indexes from the running server's database
# with the sqlite3 shell, then runs `ordo bench` (64 in flight) for DURATION_S seconds.
# Compare runs of one series only; each run is its own fresh server.
#
#   scripts/index-cost.sh "" [DURATION_S]                                  # none dropped
#   scripts/index-cost.sh "inventory_ledger_by_sku orders_by_email" [DURATION_S]
set -euo pipefail
indexes=${1-}
duration=${2:-30}
backend=sqlite
cd "$(dirname "$0")/.."
port=18097
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh

"$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s 5 --restock 100000 --json >/dev/null
for index in $indexes; do
  sqlite3 "$work/data/ordo.db" "PRAGMA busy_timeout = 5000; DROP INDEX $index;" >/dev/null
done
"$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s "$duration" --json
