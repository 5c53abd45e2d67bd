#!/usr/bin/env bash
# Reads at scale: serves a fresh demo network on the chosen backend, fills it with ORDERS
# orders through the API (`ordo bench --orders`, 64 in flight, timed), then measures the
# reads people make most (`ordo bench-reads`: one order; lists by status, channel and date;
# searches by email, name, external id and number) for 30 s, and runs `ordo check`.
#
#   scripts/bench-reads.sh sqlite   [ORDERS]
#   scripts/bench-reads.sh postgres [ORDERS]   # uses database ordo_bench on 127.0.0.1
set -euo pipefail
backend=${1:?usage: scripts/bench-reads.sh sqlite|postgres [orders]}
orders=${2:-1000000}
cd "$(dirname "$0")/.."
port=18096
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh

started=$(date +%s)
"$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s 3600 \
  --restock 1000000 --orders "$orders" --json
echo "filled with $orders orders in $(( $(date +%s) - started )) s"
"$ordo" bench-reads --url "$url" --key "$key" --concurrency "${READERS:-8}" --duration-s "${READ_S:-30}"
"$ordo" check "${database[@]}"
