#!/usr/bin/env bash
# The national portal link's cost to intakes and its delivery rate (issue #17), in one run on
# one machine (2 cores shared by the server, portal-sim and wrk). Each phase starts a fresh demo
# server (SQLite) so that every phase has the day's 9,999 codes:
#   A  the build before the portal outbox (BIN_OLD), intakes alone;
#   B  this build without a portal: each event also writes its portal message, nothing is sent;
#   C  this build with portal-sim: the relay delivers while the intakes come in, paced at
#      portal.maxPerSecond (default 100), then with the pacing lifted ("uncapped").
# Phases alternate A B C C for ROUNDS rounds; C counts the messages delivered during the phase. Then an outage: portal-sim down for OUTAGE
# seconds while intakes come at RATE a second, then up; the outbox grows, then drains by itself.
#
#   BIN_OLD=/path/to/old/motcua bash Benchmarks/portal/run.sh      # release builds; 2 s a phase
#
# Needs wrk and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build -c release --product motcua >/dev/null
  swift build -c release --product portal-sim >/dev/null
fi
BIN=${BIN:-.build/release/motcua}
SIM=${SIM:-.build/release/portal-sim}
DURATION=${DURATION:-2}
ROUNDS=${ROUNDS:-2}
OUTAGE=${OUTAGE:-60}
RATE=${RATE:-20}
work=$(mktemp -d)
# Config/ with the portal's pacing lifted, for phase C "uncapped".
uncapped=$work/config-uncapped
cp -r Config "$uncapped"
python3 -c "
import json, sys
path = sys.argv[1] + '/motcua.json'
config = json.load(open(path))
config['portal']['maxPerSecond'] = 100000
json.dump(config, open(path, 'w'), ensure_ascii=False)
" "$uncapped"
server_pid=
sim_pid=
cleanup() {
  for p in $server_pid $sim_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh portal-sim for each server: every demo has the same dossier codes and ids, which a
# portal that kept the last demo's would refuse as stale versions or reused keys.
sim_port=18392
sim=http://127.0.0.1:$sim_port
sim_start() {
  "$SIM" --port $sim_port >>"$work/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 1 100); do curl -sf "$sim/sim/stats" >/dev/null && break; sleep 0.1; done
}
sim_stop() { kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; sim_pid=; }
accepted() { curl -sf "$sim/sim/stats" | python3 -c 'import sys, json; print(json.load(sys.stdin)["accepted"])'; }

start() { # start BIN PORTAL(yes|no) DIR
  local env=()
  [ "$2" = yes ] && env=(MOTCUA_PORTAL_URL=$sim)
  [ -n "${MOTCUA_CONFIG:-}" ] && env+=(MOTCUA_CONFIG=$MOTCUA_CONFIG)
  env "${env[@]}" MOTCUA_LOG_LEVEL=error "$1" serve --demo --port 18391 --data-dir "$3" >"$3.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 1200); do grep -q "đang chạy tại" "$3.log" && break; sleep 0.1; done
}
stop() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=; }
base=http://127.0.0.1:18391
token() { # token LOG USER
  local password=$(awk -v user="$2" '$1 == user { print $2 }' "$1")
  curl -sf -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$password\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])'
}
pending() { curl -sf "$base/metrics" | awk '$1 == "motcua_outbox_pending{outbox=\"portal\"}" { print $2 + 0 }'; }
body=
make_body() { # make_body LOG: a complete desk intake of 1.001193, read from the catalogue once
  [ -n "$body" ] && return
  local t=$(token "$1" motcua.songtri)
  body=$(curl -sf "$base/api/v1/procedures/1.001193" -H "Authorization: Bearer $t" | python3 -c '
import sys, json
p = json.load(sys.stdin)
print(json.dumps({"procedureCode": p["code"], "returnMethod": "desk",
  "applicant": {"name": "Nguyễn Văn An", "idNumber": "001203004005", "phone": "0912345678", "address": "Phường Sông Trí, Hà Tĩnh"},
  "documents": [{"name": d["name"], "originals": d["originals"], "copies": d["copies"]} for d in p["documents"]]}, ensure_ascii=False))')
}
intakes() { # intakes LOG -> wrk's last line
  make_body "$1"
  MOTCUA_TOKEN=$(token "$1" motcua.songtri) MOTCUA_BODY=$body wrk -t1 -c32 -d"${DURATION}s" -s Benchmarks/intake/intake.lua "$base/api/v1/dossiers" \
    | tail -1 | sed -E 's/requests=[0-9]+ //; s/p50=[0-9.]+ms //'
}

echo "== $DURATION s a phase, 32 connections, $ROUNDS rounds, $(nproc) cores"
n=0
for round in $(seq 1 "$ROUNDS"); do
  if [ -n "${BIN_OLD:-}" ]; then
    n=$((n + 1)); start "$BIN_OLD" no "$work/d$n"
    printf '%-44s %s\n' "round $round A: before the portal outbox" "$(intakes "$work/d$n.log")"; stop
  fi
  n=$((n + 1)); start "$BIN" no "$work/d$n"; make_body "$work/d$n.log"
  printf '%-44s %s\n' "round $round B: portal outbox, no portal" "$(intakes "$work/d$n.log")"; stop
  for cap in default uncapped; do
    sim_start
    n=$((n + 1))
    if [ $cap = default ]; then start "$BIN" yes "$work/d$n"; else MOTCUA_CONFIG=$uncapped start "$BIN" yes "$work/d$n"; fi
    # The demo's own history goes first; wait until it is delivered.
    for _ in $(seq 1 600); do [ "$(pending)" = "0" ] && break; sleep 0.1; done
    before=$(accepted); t0=$(date +%s.%N)
    line=$(intakes "$work/d$n.log")
    t1=$(date +%s.%N); after=$(accepted)
    printf '%-44s %s\n' "round $round C: portal-sim receiving ($cap)" "$line"
    python3 -c "print('%-44s %d messages delivered during the phase: %.0f/s' % ('', $after - $before, ($after - $before) / ($t1 - $t0)))"
    stop; sim_stop
  done
done

echo "== outage: portal-sim down $OUTAGE s under $RATE intakes/s, then up"
sim_start
n=$((n + 1)); start "$BIN" yes "$work/d$n"
for _ in $(seq 1 600); do [ "$(pending)" = "0" ] && break; sleep 0.1; done
t=$(token "$work/d$n.log" motcua.songtri); make_body "$work/d$n.log"
curl -sf -X POST "$sim/sim/outage?on=true" >/dev/null
before=$(accepted)
MOTCUA_TOKEN=$t BASE=$base RATE=$RATE SECONDS_=$OUTAGE BODY=$body python3 - <<'EOF'
import json, os, time, urllib.request
base, rate, seconds = os.environ["BASE"], float(os.environ["RATE"]), float(os.environ["SECONDS_"])
ok = 0
start = time.time()
while time.time() - start < seconds:
    request = urllib.request.Request(base + "/api/v1/dossiers", data=os.environ["BODY"].encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["MOTCUA_TOKEN"]})
    with urllib.request.urlopen(request) as response:
        ok += response.status == 201
    time.sleep(max(0, start + ok / rate - time.time()))
print("%d intakes acknowledged in %.0f s while the portal was down" % (ok, time.time() - start))
EOF
echo "outbox pending at the end of the outage: $(pending); the portal took $(( $(accepted) - before )) meanwhile"
curl -sf -X POST "$sim/sim/outage?on=false" >/dev/null
t0=$(date +%s.%N)
for _ in $(seq 1 6000); do [ "$(pending)" = "0" ] && break; sleep 0.1; done
t1=$(date +%s.%N)
python3 -c "print('drained by itself %.1f s after the portal came back; %d messages delivered' % ($t1 - $t0, $(accepted) - $before))"
curl -sf "$sim/sim/stats"; echo
stop; sim_stop
