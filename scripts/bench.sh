#!/usr/bin/env bash
# Reproduces the figures in docs/BENCHMARKS.md: builds ordo in release mode, serves a fresh
# demo network on the chosen backend, restocks it (so the runs measure placing orders, not
# running out of stock), warms up for 5 s, runs `ordo bench` three times, then `ordo check`.
#
#   scripts/bench.sh sqlite   [CONCURRENCY] [DURATION_S]
#   scripts/bench.sh postgres [CONCURRENCY] [DURATION_S]   # uses database ordo_bench on 127.0.0.1
set -euo pipefail
backend=${1:?usage: scripts/bench.sh sqlite|postgres [concurrency] [duration_s]}
concurrency=${2:-32}
duration=${3:-20}
cd "$(dirname "$0")/.."
cargo build --release -p ordo -q
ordo=target/release/ordo
work=$(mktemp -d)
port=18099

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

"$ordo" bench --url "$url" --key "$key" --concurrency "$concurrency" --duration-s 5 --restock 100000 --json >/dev/null
for run in 1 2 3; do
  "$ordo" bench --url "$url" --key "$key" --concurrency "$concurrency" --duration-s "$duration" --json
done
"$ordo" check "${database[@]}"
