# Sourced by the benchmark scripts: builds ordo in release mode (or uses $ORDO_BIN when set)
# and serves a fresh demo network on $backend (sqlite, or postgres with a database ordo_bench
# on 127.0.0.1, dropped and recreated) at 127.0.0.1:$port. Sets ordo, work, database, server,
# key and url; stops the server and removes its files on exit.
if [ -z "${ORDO_BIN:-}" ]; then
  cargo build --release -p ordo -q
fi
ordo=${ORDO_BIN:-target/release/ordo}
work=$(mktemp -d)

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
