#!/usr/bin/env bash
# Order capture while the fulfilment alert scan runs, with many open fulfilment orders: serves
# a fresh demo network (SQLite unless told otherwise), places orders until at least OPEN_MIN
# fulfilment orders are open, then runs `ordo bench` twice — once quietly, once while a loop
# asks for alert scans back to back — and prints both, with how long each scan took.
#
#   scripts/bench-scan.sh [sqlite|postgres] [OPEN_MIN] [DURATION_S]
set -euo pipefail
backend=${1:-sqlite}
open_min=${2:-50000}
duration=${3:-20}
cd "$(dirname "$0")/.."
port=18097
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh

open_work() {
  case "$backend" in
    sqlite) sqlite3 "$work/data/ordo.db" "SELECT count(*) FROM fulfillment_orders WHERE status IN ('released','accepted','picking','picked','packed')" ;;
    postgres) psql -h 127.0.0.1 -U postgres -d ordo_bench -Atc "SELECT count(*) FROM fulfillment_orders WHERE status IN ('released','accepted','picking','picked','packed')" ;;
  esac
}

echo "placing orders until $open_min fulfilment orders are open…"
"$ordo" bench --url "$url" --key "$key" --concurrency 32 --duration-s 5 --restock 1000000 --json >/dev/null
while [ "$(open_work)" -lt "$open_min" ]; do
  "$ordo" bench --url "$url" --key "$key" --concurrency 32 --duration-s 20 --json >/dev/null
done
echo "open fulfilment orders: $(open_work)"

echo "capture, no scan:"
"$ordo" bench --url "$url" --key "$key" --concurrency 32 --duration-s "$duration"

scans="$work/scans"
(
  while true; do
    curl -s -o /dev/null -w '%{time_total}\n' -X POST -H "authorization: Bearer $key" \
      -H 'content-type: application/json' -d '{}' "$url/v1/alerts/scan" >>"$scans"
  done
) &
scanner=$!
echo "capture, alert scans back to back:"
"$ordo" bench --url "$url" --key "$key" --concurrency 32 --duration-s "$duration"
kill $scanner 2>/dev/null; wait $scanner 2>/dev/null || true
sort -n "$scans" | awk '{ t[NR] = $1 } END { printf "scans: %d, median %.2f s, slowest %.2f s\n", NR, t[int((NR + 1) / 2)], t[NR] }'
