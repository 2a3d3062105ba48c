#!/usr/bin/env bash
# Every view of a sample of dossiers, saved byte for byte: before the slim layout with an older
# build, after it with this one, then compared (issue #21: the rewrite changes no view).
#
#   bash Benchmarks/history/views.sh DATA_DIR BINARY OUT_DIR [SAMPLE]
#
# Views: the officer's detail (JSON), forms 01-04 (printable HTML), the Open311 request (JSON
# and XML).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:?usage: views.sh DATA_DIR BINARY OUT_DIR [SAMPLE]}
bin=${2:?binary}
out=${3:?output directory}
sample=${4:-200}
port=${PORT:-18431}
base=http://127.0.0.1:$port
token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$data/motcua.sqlite.queries.json")
mkdir -p "$out"
MOTCUA_LOG_LEVEL=error "$bin" serve --port "$port" --data-dir "$data" >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 36000); do curl -sf "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.1; done
# The same sample each time: every Nth dossier of the centre, by code.
codes=$(sqlite3 "file:$data/motcua.sqlite?mode=ro" \
  "SELECT code FROM dossiers WHERE current_agency_id = '000.00.00.H42' ORDER BY code LIMIT $sample OFFSET 1000")
for code in $codes; do
  curl -s -H "Authorization: Bearer $token" "$base/api/v1/dossiers/$code" >"$out/$code.json"
  for form in 01 02 03 04; do
    curl -s -H "Authorization: Bearer $token" "$base/api/v1/dossiers/$code/forms/$form" >"$out/$code.form$form.html"
  done
  curl -s "$base/open311/v2/requests/$code.json" >"$out/$code.open311.json"
  curl -s "$base/open311/v2/requests/$code.xml" >"$out/$code.open311.xml"
done
echo "$(ls "$out" | wc -l) files in $out"
