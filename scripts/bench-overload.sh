#!/usr/bin/env bash
# Overload, bounded and on loopback: serves a fresh demo network, then drives it with far more
# orders in flight than it works on at once (1,000 by default, for 20 s), and reports what was
# served, what was shed (503 at once), the p99 of each, and how long after the load stops a
# request is served again. Ends with `ordo check`.
#
#   scripts/bench-overload.sh [sqlite|postgres] [CONNECTIONS] [DURATION_S]
set -euo pipefail
backend=${1:-sqlite}
connections=${2:-1000}
duration=${3:-20}
cd "$(dirname "$0")/.."
port=18098
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh

"$ordo" bench --url "$url" --key "$key" --concurrency 32 --duration-s 5 --restock 1000000 --json >/dev/null
echo "$connections orders in flight for $duration s:"
"$ordo" bench --url "$url" --key "$key" --concurrency "$connections" --duration-s "$duration"

# Recovery: from the end of the load to the first request served.
start=$(date +%s%N)
until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $key" "$url/v1/items?limit=1")" = 200 ]; do :; done
end=$(date +%s%N)
echo "recovery: first request served $(( (end - start) / 1000000 )) ms after the load stopped"
probe=$(curl -s -o /dev/null -w '%{time_total}' -H "authorization: Bearer $key" "$url/v1/items?limit=1")
echo "then a request takes ${probe} s"
"$ordo" check "${database[@]}"
