#!/usr/bin/env bash
# Compares two builds of ordo on this machine: serves a fresh demo with each in turn (A, B,
# A, B…), warms it up and restocks it as scripts/bench.sh does, then runs `ordo bench` (64 in
# flight) and prints orders/s and the CPU time per order placed — the server's, and on
# PostgreSQL the database's too. This machine's speed moves by ±20% from run to run; CPU per
# order moves far less, so compare that first, over several pairs.
#
#   scripts/ab.sh BINARY_A BINARY_B [PAIRS] [DURATION_S] [sqlite|postgres]
#   (copy target/release/ordo aside before building the other version)
set -euo pipefail
usage="usage: scripts/ab.sh BINARY_A BINARY_B [pairs] [duration_s] [sqlite|postgres]"
a=${1:?$usage}
b=${2:?$usage}
pairs=${3:-3}
duration=${4:-30}
backend=${5:-sqlite}
cd "$(dirname "$0")/.."

one() {
  ORDO_BIN=$1 backend=$backend port=18095 bash -c '
    set -euo pipefail
    source scripts/lib/demo.sh
    "$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s 5 --restock 100000 --json >/dev/null
    # CPU ticks of the server and of every PostgreSQL process (its connections last the run).
    ticks() { for p in "$@"; do awk "{print \$14 + \$15}" "/proc/$p/stat" 2>/dev/null || echo 0; done | paste -sd+ | bc; }
    pg=$(pgrep -x postgres || true)
    server_before=$(ticks $server); db_before=$(ticks $pg 0)
    out=$("$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s '"$duration"' --json)
    server_after=$(ticks $server); db_after=$(ticks $pg 0)
    placed=$(echo "$out" | grep -o "\"placed\":[0-9]*" | cut -d: -f2)
    rate=$(echo "$out" | grep -o "\"orders_per_s\":[0-9.]*" | cut -d: -f2)
    per_order() { echo $(( ($1 - $2) * 1000000 / $(getconf CLK_TCK) / placed )); }
    line="$rate orders/s, $(per_order $server_after $server_before) µs server CPU per order"
    if [ "'"$backend"'" = postgres ]; then line="$line, $(per_order $db_after $db_before) µs PostgreSQL"; fi
    echo "$line"
  '
}

for _ in $(seq 1 "$pairs"); do
  echo "A: $(one "$a")"
  echo "B: $(one "$b")"
done
