#!/usr/bin/env bash
# PostgreSQL against SQLite in one run (issue #16): officer-API intakes and detail reads on
#   1. one instance on SQLite,
#   2. one instance on PostgreSQL,
#   3. two instances on one PostgreSQL database (each loaded by its own wrk, as a balancer would),
# alternated ROUNDS times, all on this machine's 2 cores (servers, PostgreSQL and wrk share them).
# "CPU" is the share of the whole machine in use while the intakes ran (100% = every core busy).
#
#   bash Benchmarks/postgres/run.sh                 # release build; private PostgreSQL clusters
#   ROUNDS=3 CONNECTIONS=32 DURATION=3s bash Benchmarks/postgres/run.sh
#   BIN=/tmp/motcua-old bash Benchmarks/postgres/run.sh
#
# Needs wrk and PostgreSQL's server programs (apt-get install wrk postgresql). Uses
# MOTCUA_TEST_DATABASE_URL when set, else starts clusters with scripts/with-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${MOTCUA_TEST_DATABASE_URL:-}" ]; then
  exec scripts/with-postgres.sh bash "$0" "$@"
fi
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
ROUNDS=${ROUNDS:-2}
# 3 s: two desks at up to ~3,300 intakes/s each stay within a desk's 9,999 codes a day (on a
# fast day SQLite ran 2,750/s a desk, and 4 s used the codes up).
DURATION=${DURATION:-3s}
CONNECTIONS=${CONNECTIONS:-32}
[ -n "${BIN:-}" ] || swift build -c release --product motcua >/dev/null
BIN=${BIN:-.build/release/motcua}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# start NAME PORT [ENV…]: a server with demo data; waits until it listens.
start() {
  local name=$1 port=$2; shift 2
  env "$@" MOTCUA_LOG_LEVEL=warning "$BIN" serve --demo --port "$port" --data-dir "$work/$name-data" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 1200); do grep -q "đang chạy tại" "$work/$name.log" && return 0; sleep 0.1; done
  echo "server $name did not start: $(tail -5 "$work/$name.log")" >&2; exit 1
}
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; pids=(); }
login() { # login LOG BASE USER
  local password=$(awk -v user="$3" '$1 == user { print $2 }' "$1")
  curl -sf -X POST "$2/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$3\",\"password\":\"$password\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])'
}
body() { # body BASE TOKEN
  curl -sf "$1/api/v1/procedures/1.001193" -H "Authorization: Bearer $2" | python3 -c '
import sys, json
p = json.load(sys.stdin)
print(json.dumps({"procedureCode": p["code"], "returnMethod": "desk",
  "applicant": {"name": "Nguyễn Văn An", "idNumber": "001203004005", "phone": "0912345678", "address": "Phường Sông Trí, Hà Tĩnh"},
  "documents": [{"name": d["name"], "originals": d["originals"], "copies": d["copies"]} for d in p["documents"]]}, ensure_ascii=False))'
}
# A new, empty database on the server; its URL.
scratch_database() {
  MOTCUA_ADMIN_URL=$MOTCUA_TEST_DATABASE_URL python3 - <<'PY'
import os, uuid, urllib.parse, subprocess
admin = os.environ["MOTCUA_ADMIN_URL"]
name = "bench_" + uuid.uuid4().hex[:10]
subprocess.run(["psql", "-q", admin, "-c", f"CREATE DATABASE {name}"], check=True)
parts = urllib.parse.urlsplit(admin)
print(urllib.parse.urlunsplit(parts._replace(path="/" + name)))
PY
}
rate() { sed -E 's/.*ok_rate=([0-9]+).*/\1/'; }  # answered with success only (report.lua)
# The machine's CPU ticks so far, all and idle (idle + iowait), from /proc/stat.
cpu_ticks() { awk '/^cpu / { total = 0; for (i = 2; i <= NF; i++) total += $i; print total, $5 + $6 }' /proc/stat; }
# busy BEFORE AFTER: the share of the machine's CPU in use between two cpu_ticks readings, in %.
busy() { local t0 i0 t1 i1; read -r t0 i0 <<<"$1"; read -r t1 i1 <<<"$2"; echo $(( 100 * ((t1 - t0) - (i1 - i0)) / (t1 - t0) )); }
p99() { sed -E 's/.*p99=([0-9.]+)ms.*/\1/'; }

# measure LABEL LOG_A BASE_A [LOG_B BASE_B]: intakes by two desks (split over the instances), then detail reads.
measure() {
  local label=$1 logA=$2 baseA=$3 logB=${4:-$2} baseB=${5:-$3}
  local t1=$(login "$logA" "$baseA" motcua.songtri) t2=$(login "$logB" "$baseB" motcua.doanhung)
  local b=$(body "$baseA" "$t1") half=$((CONNECTIONS / 2))
  local before=$(cpu_ticks)
  MOTCUA_TOKEN=$t2 MOTCUA_BODY=$b wrk -t1 -c"$half" -d"$DURATION" -s Benchmarks/intake/intake.lua "$baseB/api/v1/dossiers" >"$work/i2" &
  local other=$!
  MOTCUA_TOKEN=$t1 MOTCUA_BODY=$b wrk -t1 -c"$half" -d"$DURATION" -s Benchmarks/intake/intake.lua "$baseA/api/v1/dossiers" >"$work/i1"
  wait "$other" || true
  local cpu=$(busy "$before" "$(cpu_ticks)")
  tail -1 "$work/i1" >"$work/i1.last" && mv "$work/i1.last" "$work/i1"
  tail -1 "$work/i2" >"$work/i2.last" && mv "$work/i2.last" "$work/i2"
  local r=$(( $(rate <"$work/i1") + $(rate <"$work/i2") ))
  local q=$(printf '%s\n%s\n' "$(p99 <"$work/i1")" "$(p99 <"$work/i2")" | sort -g | tail -1)
  grep -q "errors(status)=0 " "$work/i1" && grep -q "errors(status)=0 " "$work/i2" || echo "warning: $label: some intakes were refused" >&2
  local codes=$(curl -sf "$baseA/api/v1/dossiers?limit=200" -H "Authorization: Bearer $t1" | python3 -c 'import sys, json; print(",".join(d["code"] for d in json.load(sys.stdin)["items"]))')
  MOTCUA_TOKEN=$t1 MOTCUA_CODES=$codes wrk -t1 -c"$half" -d"$DURATION" -s Benchmarks/intake/detail.lua "$baseA" >"$work/d1" &
  other=$!
  MOTCUA_TOKEN=$t1 MOTCUA_CODES=$codes wrk -t1 -c"$half" -d"$DURATION" -s Benchmarks/intake/detail.lua "$baseB" >"$work/d2"
  wait "$other" || true
  tail -1 "$work/d1" >"$work/d1.last" && mv "$work/d1.last" "$work/d1"
  tail -1 "$work/d2" >"$work/d2.last" && mv "$work/d2.last" "$work/d2"
  local d=$(( $(rate <"$work/d1") + $(rate <"$work/d2") ))
  printf '%-28s intakes %6d/s  p99 %7s ms  CPU %3d%%   detail reads %6d/s\n' "$label" "$r" "$q" "$cpu" "$d"
}

echo "== $ROUNDS rounds, $CONNECTIONS connections, $DURATION a phase, $(nproc) cores shared by everything"
for round in $(seq 1 "$ROUNDS"); do
  start sqlite 18180
  measure "round $round: SQLite" "$work/sqlite.log" http://127.0.0.1:18180
  stop_all; rm -rf "$work/sqlite-data"

  url=$(scratch_database)
  pg=(MOTCUA_STORAGE_BACKEND=postgres MOTCUA_DATABASE_URL="$url")
  start pg1 18181 "${pg[@]}"
  measure "round $round: PostgreSQL, 1" "$work/pg1.log" http://127.0.0.1:18181
  # The second instance on the same database and data directory.
  env "${pg[@]}" MOTCUA_LOG_LEVEL=warning "$BIN" serve --demo --port 18182 --data-dir "$work/pg1-data" >"$work/pg2.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 1200); do grep -q "đang chạy tại" "$work/pg2.log" && break; sleep 0.1; done
  # B's --demo start gave the demo officers new passwords: log in with those, on both.
  measure "round $round: PostgreSQL, 2" "$work/pg2.log" http://127.0.0.1:18181 "$work/pg2.log" http://127.0.0.1:18182
  stop_all; rm -rf "$work/pg1-data"
done

# migrate-store: a commune's history (MIGRATE_DOSSIERS demo dossiers through the lifecycle) copied up.
MIGRATE_DOSSIERS=${MIGRATE_DOSSIERS:-20000}
if [ "$MIGRATE_DOSSIERS" -gt 0 ]; then
  MOTCUA_BCRYPT_COST=4 "$BIN" seed --demo "$MIGRATE_DOSSIERS" --data-dir "$work/commune" >/dev/null 2>&1
  size=$(du -sm "$work/commune/motcua.sqlite" | cut -f1)
  echo "== migrate-store: $MIGRATE_DOSSIERS demo dossiers (${size} MB of SQLite)"
  "$BIN" migrate-store --from "sqlite:$work/commune/motcua.sqlite" --to "$(scratch_database)" 2>/dev/null | grep -E '^(dossiers|dossier_events) |Mã kiểm tra|Đã chép'
fi
