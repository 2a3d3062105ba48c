#!/usr/bin/env bash
# Officers' lists and searches over a province's history (issue #21): the officer queries timed
# cold (the first after a start, with the page cache dropped when allowed) and warm (p50 and p95
# over RUNS runs), the server's RSS after the warm runs, and the bytes per dossier.
#
#   bash Benchmarks/history/run.sh DATA_DIR [BINARY]
#
# DATA_DIR holds motcua.sqlite and motcua.sqlite.queries.json, made by
#   .build/release/HistoryBenchmark --dossiers 10000000 --db DATA_DIR/motcua.sqlite [--layout legacy]
# BINARY defaults to this build's release motcua; an older build reads a legacy-layout file (the
# baseline), and this build then rewrites that same file into the slim layout when it starts.
# With MOTCUA_STORAGE_BACKEND=postgres and MOTCUA_DATABASE_URL (a database `motcua migrate-store`
# filled from DATA_DIR's file), the same queries run on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:?usage: run.sh DATA_DIR [BINARY]}
bin=${2:-.build/release/motcua}
runs=${RUNS:-50}
port=${PORT:-18421}
base=http://127.0.0.1:$port
queries=$data/motcua.sqlite.queries.json
log=$(mktemp)
pid=
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -f "$log"; }
trap cleanup EXIT

start() {
  MOTCUA_LOG_LEVEL=error "$bin" serve --port "$port" --data-dir "$data" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 36000); do
    curl -sf "$base/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "the server did not become ready" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null && echo dropped || echo "not dropped"; }

echo "== $(basename "$bin") on ${MOTCUA_STORAGE_BACKEND:-sqlite} ($data, $(du -sh "$data/motcua.sqlite" | cut -f1)), $(nproc) cores, $(date -u +%FT%TZ)"
started=$(date +%s.%N)
start
echo "start (migrations included): $(echo "$(date +%s.%N) - $started" | bc) s"
stop
echo "-- cold: each query the first after a start, page cache $(drop_caches)"
python3 Benchmarks/history/measure.py "$base" "$queries" --list | while read -r name; do
  drop_caches >/dev/null
  start
  python3 Benchmarks/history/measure.py "$base" "$queries" --only "$name"
  stop
done
echo "-- warm: p50 and p95 over $runs runs"
start
python3 Benchmarks/history/measure.py "$base" "$queries" --warm "$runs"
echo "server RSS after the warm runs: $(awk '/VmRSS/ { printf "%.0f MB", $2 / 1024 }' /proc/$pid/status)"
stop
echo "-- bytes per dossier (projection, list rows, name index and every index; not the control sheet)"
if [ "${MOTCUA_STORAGE_BACKEND:-sqlite}" = postgres ]; then
  psql "$MOTCUA_DATABASE_URL" -Atc "SELECT 'PostgreSQL: ' || round((pg_total_relation_size('dossiers') + pg_total_relation_size('dossier_list') + pg_total_relation_size('dossier_name_keys'))::numeric
    / (SELECT count(*) FROM dossiers)) || ' bytes per dossier (mean: dossiers, dossier_list and dossier_name_keys with their indexes and TOAST)'"
else
  python3 Benchmarks/history/bytes.py "$data/motcua.sqlite"
fi
