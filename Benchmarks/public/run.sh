#!/usr/bin/env bash
# Citizen-API benchmark on SQLite (issue #4).
#
#   bash Benchmarks/public/run.sh                 # release build, 10 s per phase
#   CONNECTIONS=32 DURATION=20s bash Benchmarks/public/run.sh
#
# Needs wrk (apt-get install wrk). Starts `motcua serve` on a fresh data directory on 127.0.0.1
# and measures, with wrk on the same machine:
#   1. POST /api/v1/public/dossiers: multipart online submission (level 4) with a 200 KB PDF that
#      differs in every request (one blob written and fsynced each), a small PNG and an
#      Idempotency-Key each;
#   2. GET /api/v1/public/dossiers/{code} with X-Access-Secret, over 500 submitted dossiers.
# The per-client lookup limit is raised for the run (MOTCUA_LOOKUPS_PER_MINUTE): every wrk
# connection comes from 127.0.0.1, which the default limit would throttle as one citizen.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
LOOKUP_CONNECTIONS=${LOOKUP_CONNECTIONS:-64}
PORT=${PORT:-18081}

swift build -c release --product motcua >/dev/null
data=$(mktemp -d)
log=$(mktemp)
MOTCUA_LOOKUPS_PER_MINUTE=1000000000 MOTCUA_LOOKUP_BURST=1000000 \
  .build/release/motcua serve --port "$PORT" --data-dir "$data" >"$log" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data" "$log"' EXIT
for _ in $(seq 1 600); do grep -q "đang chạy tại" "$log" && break; sleep 0.1; done
base="http://127.0.0.1:$PORT"
export MOTCUA_APPLICATION='{"procedureCode":"1.001193","agencyID":"000.15.01.H42","level":4,"returnMethod":"electronic","notApplicable":[1,2,3,5,6,7],"applicant":{"name":"Trần Thị Bình","idNumber":"001203004005","phone":"0912345678","email":"binh@example.vn","address":"Phường Sông Trí, Hà Tĩnh"}}'

echo "== submission: POST /api/v1/public/dossiers, 200 KB PDF each, $CONNECTIONS connections, $DURATION"
wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s Benchmarks/public/submit.lua "$base" | tail -1
echo "   blobs written: $(find "$data/blobs" -mindepth 2 -type f -not -path "$data/blobs/tmp/*" | wc -l), bytes: $(du -sb "$data/blobs" | cut -f1)"

export MOTCUA_DOSSIERS=$(python3 - "$base" <<'PY'
import json, sys, urllib.request, uuid
base = sys.argv[1]
pairs = []
for i in range(500):
    boundary = "b" + uuid.uuid4().hex
    application = {"procedureCode": "1.001193", "agencyID": "000.15.01.H42", "level": 4, "returnMethod": "electronic",
                   "notApplicable": [1, 2, 3, 5, 6, 7],
                   "applicant": {"name": "Lê Thị Hoa", "idNumber": "001203004005", "phone": "0912345678", "address": "Hà Tĩnh"}}
    def part(name, data, kind, filename=None):
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        return (head + f"\r\nContent-Type: {kind}\r\n\r\n").encode() + data + b"\r\n"
    body = (part("application", json.dumps(application).encode(), "application/json")
            + part("document-4", b"%PDF-1.7 lookup " + str(i).encode(), "application/pdf", "a.pdf")
            + part("document-8", b"%PDF-1.7 form " + str(i).encode(), "application/pdf", "b.pdf") + f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(base + "/api/v1/public/dossiers", data=body,
                                     headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    answer = json.load(urllib.request.urlopen(request))
    pairs.append(answer["code"] + " " + answer["accessSecret"])
print(",".join(pairs))
PY
)
echo "== lookup: GET /api/v1/public/dossiers/{code} + X-Access-Secret, $LOOKUP_CONNECTIONS connections, $DURATION"
wrk -t2 -c"$LOOKUP_CONNECTIONS" -d"$DURATION" -s Benchmarks/public/lookup.lua "$base" | tail -1
