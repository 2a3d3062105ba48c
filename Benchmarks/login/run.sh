#!/usr/bin/env bash
# The login flood of issue #19, on this build and an older one, alternated in one run:
# 32 connections post wrong passwords for one officer (wrk), and meanwhile another officer logs
# in five times (curl, from another client address) and /health/live is probed (wrk, 2
# connections). Demo servers on SQLite, bcrypt cost 12 as configured.
#
#   bash Benchmarks/login/run.sh                          # this build only
#   BIN_OLD=/tmp/motcua-old bash Benchmarks/login/run.sh  # against an older build
#
# Needs wrk and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
[ -n "${BIN:-}" ] || swift build -c release --product motcua >/dev/null
BIN=${BIN:-.build/release/motcua}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT

measure() { # measure LABEL BINARY
  local label=$1 bin=$2 port=18290
  rm -rf "$work/data"
  MOTCUA_TRUSTED_PROXIES=127.0.0.1 MOTCUA_LOG_LEVEL=error "$bin" serve --demo --port $port --data-dir "$work/data" >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do grep -q "đang chạy tại" "$work/log" && break; sleep 0.1; done
  local base=http://127.0.0.1:$port
  local password=$(awk '$1 == "motcua.doanhung" { print $2 }' "$work/log")
  MOTCUA_USER=motcua.songtri wrk -t1 -c32 -d"${DURATION}s" -s Benchmarks/login/flood.lua "$base/api/v1/auth/login" >"$work/flood" &
  local flood=$!
  sleep 2
  wrk -t1 -c2 -d"$((DURATION - 4))s" -s Benchmarks/report.lua "$base/health/live" >"$work/health" &
  local health=$!
  local times=()
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s -o "$work/answer" -w '%{http_code}:%{time_total}' -X POST "$base/api/v1/auth/login" \
      -H 'Content-Type: application/json' -H 'X-Forwarded-For: 198.51.100.20' \
      -d "{\"username\":\"motcua.doanhung\",\"password\":\"$password\"}")")
    sleep 0.5
  done
  wait "$flood" "$health" || true
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  local logins=$(printf '%s\n' "${times[@]}" | awk -F: '{ if ($1 != 201) bad++; if ($2 > max) max = $2 } END { printf "max %.3f s%s", max, bad ? " (" bad " not 201)" : "" }')
  printf '%-22s flood: %s | valid logins: %s | /health/live: %s\n' "$label" \
    "$(tail -1 "$work/flood" | sed -E 's/.*requests=([0-9]+) errors\(status\)=([0-9]+).*rate=([0-9]+).*/\1 requests, \3\/s/')" \
    "$logins" "$(tail -1 "$work/health" | sed -E 's/.*p50=([0-9.]+ms) p99=([0-9.]+ms) rate=([0-9]+).*/p50 \1, p99 \2, \3\/s/')"
}

echo "== $ROUNDS rounds, $DURATION s of flood each, $(nproc) cores"
for round in $(seq 1 "$ROUNDS"); do
  measure "round $round: this build" "$BIN"
  [ -n "${BIN_OLD:-}" ] && measure "round $round: old build" "$BIN_OLD"
done
