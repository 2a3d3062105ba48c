#!/usr/bin/env bash
# Where a detail read's time goes (issue #16): one instance with demo data on BACKEND (postgres
# or sqlite), PHASES phases of detail reads (32 connections, 3 s each, GET /api/v1/dossiers/{code}
# over 200 codes). For each phase: reads/s, the CPU ticks of the server and of PostgreSQL's
# processes (100 ticks = one core for one second), and how many of the 0.2 s samples of
# pg_stat_activity saw an autovacuum worker.
#
#   BACKEND=postgres PHASES=8 bash Benchmarks/postgres/detail-cpu.sh
#   BIN=/tmp/motcua-old BACKEND=sqlite bash Benchmarks/postgres/detail-cpu.sh
#
# Needs wrk and PostgreSQL's server programs; uses MOTCUA_TEST_DATABASE_URL when set, else starts
# a private cluster with scripts/with-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${MOTCUA_TEST_DATABASE_URL:-}" ]; then
  exec scripts/with-postgres.sh bash "$0" "$@"
fi
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
[ -n "${BIN:-}" ] || swift build -c release --product motcua >/dev/null
BIN=${BIN:-.build/release/motcua}
BACKEND=${BACKEND:-postgres}
work=$(mktemp -d)
name=detail_$(date +%s)_$RANDOM
psql -q "$MOTCUA_TEST_DATABASE_URL" -c "CREATE DATABASE $name"
url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$MOTCUA_TEST_DATABASE_URL" "$name")
MOTCUA_STORAGE_BACKEND=$BACKEND MOTCUA_DATABASE_URL=$url MOTCUA_LOG_LEVEL=warning "$BIN" serve --demo --port 18190 --data-dir "$work/data" >"$work/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do grep -q "đang chạy tại" "$work/log" && break; sleep 0.1; done
base=http://127.0.0.1:18190
password=$(awk '$1 == "motcua.songtri" { print $2 }' "$work/log")
token=$(curl -sf -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"motcua.songtri\",\"password\":\"$password\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
codes=$(curl -sf "$base/api/v1/dossiers?limit=200" -H "Authorization: Bearer $token" | python3 -c 'import sys, json; print(",".join(d["code"] for d in json.load(sys.stdin)["items"]))')
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() { local total=0 p; for p in $(pgrep -x postgres); do total=$((total + $(ticks "$p"))); done; echo "$total"; }
poll() { while :; do psql -Atq "$url" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"; sleep 0.2; done; }
echo "== $BACKEND, $(nproc) cores"
for phase in $(seq 1 "${PHASES:-4}"); do
  poll >"$work/poll" & poller=$!
  s0=$(ticks $pid) g0=$(postgres_ticks)
  rate=$(MOTCUA_TOKEN=$token MOTCUA_CODES=$codes wrk -t1 -c32 -d3s -s Benchmarks/intake/detail.lua "$base" | tail -1 | sed -E 's/.*ok_rate=([0-9]+).*/\1/')
  s1=$(ticks $pid) g1=$(postgres_ticks)
  kill $poller; wait $poller 2>/dev/null || true
  reads=$((rate * 3))
  printf 'phase %d: %6d reads/s; CPU a read: server %4d µs, PostgreSQL %3d µs; autovacuum seen in %d of %d samples\n' \
    "$phase" "$rate" $(( (s1 - s0) * 10000000 / reads / 1000 )) $(( (g1 - g0) * 10000000 / reads / 1000 )) \
    "$(awk '$1 > 0' "$work/poll" | wc -l)" "$(wc -l <"$work/poll")"
done
