#!/usr/bin/env bash
# Compares two builds of ordo on this machine: serves a fresh demo on SQLite with each in
# turn (A, B, A, B…), warms it up and restocks it as scripts/bench.sh does, then runs
# `ordo bench` (64 in flight) and prints orders/s and the server's CPU time per order placed.
# This machine's speed moves by ±20% from run to run; CPU per order moves far less, so
# compare that first, over several pairs.
#
#   scripts/ab.sh BINARY_A BINARY_B [PAIRS] [DURATION_S]
#   (copy target/release/ordo aside before building the other version)
set -euo pipefail
a=${1:?usage: scripts/ab.sh BINARY_A BINARY_B [pairs] [duration_s]}
b=${2:?usage: scripts/ab.sh BINARY_A BINARY_B [pairs] [duration_s]}
pairs=${3:-3}
duration=${4:-30}
cd "$(dirname "$0")/.."

one() {
  ORDO_BIN=$1 backend=sqlite port=18095 bash -c '
    set -euo pipefail
    source scripts/lib/demo.sh
    "$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s 5 --restock 100000 --json >/dev/null
    cpu() { awk "{print \$14 + \$15}" "/proc/$server/stat"; }
    before=$(cpu)
    out=$("$ordo" bench --url "$url" --key "$key" --concurrency 64 --duration-s '"$duration"' --json)
    after=$(cpu)
    placed=$(echo "$out" | grep -o "\"placed\":[0-9]*" | cut -d: -f2)
    rate=$(echo "$out" | grep -o "\"orders_per_s\":[0-9.]*" | cut -d: -f2)
    ticks=$(getconf CLK_TCK)
    echo "$rate orders/s, $(( (after - before) * 1000000 / ticks / placed )) µs CPU per order"
  '
}

for _ in $(seq 1 "$pairs"); do
  echo "A: $(one "$a")"
  echo "B: $(one "$b")"
done
