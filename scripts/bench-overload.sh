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
cargo build --release -p ordo -q
ordo=target/release/ordo
work=$(mktemp -d)
port=18098

case "$backend" in
  sqlite) database=(--data-dir "$work/data") ;;
  postgres)
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS ordo_bench" -c "CREATE DATABASE ordo_bench" 2>/dev/null
    database=(--database-url postgres://postgres@127.0.0.1:5432/ordo_bench) ;;
  *) echo "backend must be sqlite or postgres" >&2; exit 2 ;;
esac

"$ordo" serve --demo --listen "127.0.0.1:$port" "${database[@]}" >"$work/serve.out" 2>"$work/serve.err" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q "channel key for pos" "$work/serve.out" 2>/dev/null && break; sleep 0.2; done
key=$(grep "admin key" "$work/serve.out" | awk '{print $NF}')
url="http://127.0.0.1:$port"

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
