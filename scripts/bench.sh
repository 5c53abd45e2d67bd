#!/usr/bin/env bash
# Reproduces the figures in docs/BENCHMARKS.md: builds ordo in release mode, serves a fresh
# demo network on the chosen backend, restocks it (so the runs measure placing orders, not
# running out of stock), warms up for 5 s, runs `ordo bench` three times (printing the
# server's memory after each: VmRSS, and VmHWM its peak), then `ordo check`.
#
#   scripts/bench.sh sqlite   [CONCURRENCY] [DURATION_S]
#   scripts/bench.sh postgres [CONCURRENCY] [DURATION_S]   # uses database ordo_bench on 127.0.0.1
set -euo pipefail
backend=${1:?usage: scripts/bench.sh sqlite|postgres [concurrency] [duration_s]}
concurrency=${2:-32}
duration=${3:-20}
cd "$(dirname "$0")/.."
port=18099
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh

"$ordo" bench --url "$url" --key "$key" --concurrency "$concurrency" --duration-s 5 --restock 100000 --json >/dev/null
for run in 1 2 3; do
  "$ordo" bench --url "$url" --key "$key" --concurrency "$concurrency" --duration-s "$duration" --json
  # The server's memory after the run, and its peak so far.
  grep -E '^(VmRSS|VmHWM)' "/proc/$server/status" | tr -s ' \t' ' ' | paste -sd ' '
done
"$ordo" check "${database[@]}"
