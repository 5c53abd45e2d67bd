#!/usr/bin/env bash
# What one order writes: serves a fresh demo on SQLite, counts every table's rows, places
# orders for DURATION_S seconds with `ordo bench`, counts again, and prints per order placed
# the rows each table gained and the B-tree entries they cost (one per row in the table's own
# B-tree, one per row in each of its indexes).
#
#   scripts/write-cost.sh [DURATION_S]
set -euo pipefail
duration=${1:-10}
backend=sqlite
cd "$(dirname "$0")/.."
port=18096
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh
db="$work/data/ordo.db"

"$ordo" bench --url "$url" --key "$key" --concurrency 8 --duration-s 2 --restock 1000000 --json >/dev/null
tables=$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_migrations' ORDER BY name")
count() { for t in $tables; do echo "$t $(sqlite3 "$db" "SELECT count(*) FROM \"$t\"")"; done; }
before=$(count)
placed=$("$ordo" bench --url "$url" --key "$key" --concurrency 32 --duration-s "$duration" --json | sed 's/.*"placed":\([0-9]*\).*/\1/')
after=$(count)

echo "orders placed: $placed"
printf '%-24s %10s %8s %12s\n' table rows/order indexes entries/order
join <(echo "$before" | sort) <(echo "$after" | sort) | while read -r t b a; do
  [ "$a" -eq "$b" ] && continue
  indexes=$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = '$t'")
  awk -v t="$t" -v d=$((a - b)) -v n="$placed" -v i="$indexes" \
    'BEGIN { printf "%-24s %10.2f %8d %12.2f\n", t, d / n, i, d * (1 + i) / n }'
done | sort -k4 -nr | tee "$work/cost"
awk '{ r += $2; e += $4 } END { printf "%-24s %10.2f %8s %12.2f\n", "total", r, "", e }' "$work/cost"
