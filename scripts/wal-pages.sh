#!/usr/bin/env bash
# Which tables and indexes each commit of order capture writes, page by page: serves a fresh
# demo on SQLite, warms it up and restocks it as scripts/bench.sh does, runs `ordo bench` (64
# in flight) and, near its end, freezes the server, copies its database and write-ahead log,
# and kills it; then names the B-tree of every page the log's commits hold
# (scripts/wal-pages.py) and prints pages per commit and per order, costliest first.
#
#   scripts/wal-pages.sh [DURATION_S]
set -euo pipefail
duration=${1:-10}
backend=sqlite
cd "$(dirname "$0")/.."
port=18094
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh

"$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s 5 --restock 100000 --json >/dev/null
"$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s "$duration" --json >/dev/null &
bench=$!
sleep $((duration > 4 ? duration - 2 : 2))
batches=$(curl -s "$url/metrics" -H "Authorization: Bearer $key" | awk '/^ordo_order_batch_size_sum/ {s=$2} /^ordo_order_batch_size_count/ {c=$2} END {if (c) printf "%.2f", s / c}')
kill -STOP "$server"
mkdir "$work/copy"
cp "$work/data/ordo.db" "$work/data/ordo.db-wal" "$work/copy/"
kill -KILL "$server"
wait "$bench" 2>/dev/null || true
echo "orders per commit: $batches"
python3 scripts/wal-pages.py "$work/copy/ordo.db" "$work/copy/ordo.db-wal" "$batches"
