#!/usr/bin/env bash
# The online backup's cost to intakes (issue #19), alternated in one run on one demo server
# (SQLite): officer-API intakes for DURATION seconds alone, then with `motcua backup` of the same
# data directory running back to back the whole time, then alone again (A/B/A). Each phase uses
# a desk of its own: an agency may issue 9,999 codes a day, and the demo has three desks whose
# agencies are still active after the 2025 merger. Prints each phase's intake rate and p99, and
# the backups' sizes and rates.
#
#   bash Benchmarks/backup/run.sh            # release build, 2 s a phase
#
# Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
[ -n "${BIN:-}" ] || swift build -c release --product motcua >/dev/null
BIN=${BIN:-.build/release/motcua}
DURATION=${DURATION:-2}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT

MOTCUA_LOG_LEVEL=error "$BIN" serve --demo --port 18291 --data-dir "$work/data" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do grep -q "đang chạy tại" "$work/log" && break; sleep 0.1; done
base=http://127.0.0.1:18291
token() { # token USER
  local password=$(awk -v user="$1" '$1 == user { print $2 }' "$work/log")
  curl -sf -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])'
}
users=(motcua.songtri motcua.doanhung motcua.hatinh)
body=$(curl -sf "$base/api/v1/procedures/1.001193" -H "Authorization: Bearer $(token motcua.songtri)" | python3 -c '
import sys, json
p = json.load(sys.stdin)
print(json.dumps({"procedureCode": p["code"], "returnMethod": "desk",
  "applicant": {"name": "Nguyễn Văn An", "idNumber": "001203004005", "phone": "0912345678", "address": "Phường Sông Trí, Hà Tĩnh"},
  "documents": [{"name": d["name"], "originals": d["originals"], "copies": d["copies"]} for d in p["documents"]]}, ensure_ascii=False))')

phase() { # phase LABEL USER WITH_BACKUP
  local t=$(token "$2") loop=
  if [ "$3" = yes ]; then
    ( i=0; while :; do i=$((i + 1)); "$BIN" backup --data-dir "$work/data" --to "$work/b-$2-$i.tar" >>"$work/backups" 2>/dev/null || break; rm -f "$work/b-$2-$i.tar"; done ) &
    loop=$!
  fi
  local line=$(MOTCUA_TOKEN=$t MOTCUA_BODY=$body wrk -t1 -c32 -d"${DURATION}s" -s Benchmarks/intake/intake.lua "$base/api/v1/dossiers" | tail -1)
  [ -n "$loop" ] && { kill "$loop" 2>/dev/null || true; wait "$loop" 2>/dev/null || true; }
  printf '%-32s %s\n' "$1" "$(echo "$line" | sed -E 's/requests=[0-9]+ //; s/p50=[0-9.]+ms //')"
}

echo "== $DURATION s a phase, 32 connections, $(nproc) cores"
phase "intakes alone" "${users[0]}" no
phase "intakes during backups" "${users[1]}" yes
phase "intakes alone, again" "${users[2]}" no
echo "backups made during the runs:"
grep -E "Đã sao lưu" "$work/backups" | sed -E 's/.*: ([0-9]+) hồ sơ.*; ([0-9.]+) MB trong ([0-9.]+) giây \(([0-9.]+) MB\/giây\)\./\1 dossiers, \2 MB in \3 s (\4 MB\/s)/' | sort | uniq -c | tail -8
