#!/usr/bin/env bash
# The published contract against the live server (issue #18): schemathesis (PyPI) runs every
# operation of /openapi.json against `motcua serve --demo` on SQLite, with `--checks all` and at
# least 30 examples an operation, once per role (desk officer, leader, administrator), with the
# partners' webhook secrets and a portal key configured so that no door answers "not configured".
# Then the server's /metrics, after all that traffic, goes through Prometheus's own linter
# (`promtool check metrics`, from Debian's prometheus package, unpacked here rather than installed
# as a service). Any finding fails the script; REPORT_DIR keeps the full logs.
#
#   bash scripts/contract-check.sh                  # builds motcua (debug) unless BIN names one
#   BIN=.build/release/motcua EXAMPLES=50 SEED=random bash scripts/contract-check.sh
#
# Logout is left out: it would end the session the run uses (it is covered by the Swift tests).
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${EXAMPLES:-30}
PORT=${PORT:-18399}
ROLES=${ROLES:-"motcua.songtri lanhdao.songtri quantri.demo"}
# The version the contract was proved with; SEED=random explores beyond CI's fixed seed.
VERSION=4.32.5
SEED=${SEED:-2026}
installed() { python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null; }
if [ "$(installed)" != "$VERSION" ]; then
  echo "== installing schemathesis $VERSION"
  python3 -m pip install -q "schemathesis==$VERSION" 2>/dev/null || python3 -m pip install -q --break-system-packages "schemathesis==$VERSION"
fi
# Through the module, not the console script: a user install's bin directory need not be on PATH.
schemathesis() { python3 -c 'import sys; from schemathesis.cli import schemathesis; sys.argv[0] = "schemathesis"; schemathesis()' "$@"; }
seed=()
[ "$SEED" = random ] || seed=(--seed "$SEED")
[ -n "${BIN:-}" ] || { swift build --product motcua >/dev/null; BIN=.build/debug/motcua; }
PORTAL_SIM=${PORTAL_SIM:-$(dirname "$BIN")/portal-sim}
[ -x "$PORTAL_SIM" ] || swift build --product portal-sim >/dev/null
work=$(mktemp -d)
reports=${REPORT_DIR:-$work/reports}
mkdir -p "$reports"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

secret="whsec_$(head -c 32 /dev/urandom | base64)"
# The national portal's stand-in, so that reconciliation has a portal to ask.
"$PORTAL_SIM" --port $((PORT + 1)) --api-key contract-check >"$work/portal.log" 2>&1 &
pids+=($!)
env MOTCUA_LOG_LEVEL=warning MOTCUA_BCRYPT_COST=4 \
  MOTCUA_POSTAL_URL=http://127.0.0.1:9 MOTCUA_POSTAL_API_KEY=contract-check \
  MOTCUA_POSTAL_WEBHOOK_SECRET="$secret" MOTCUA_PAYMENT_WEBHOOK_SECRET="$secret" \
  MOTCUA_PORTAL_KEY=contract-check-portal-key MOTCUA_PORTAL_URL=http://127.0.0.1:$((PORT + 1)) MOTCUA_PORTAL_API_KEY=contract-check \
  "$BIN" serve --demo --port "$PORT" --data-dir "$work/data" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do grep -q "đang chạy tại" "$work/serve.log" && break; sleep 0.1; done
grep -q "đang chạy tại" "$work/serve.log" || { echo "the server did not start: $(tail -5 "$work/serve.log")" >&2; exit 1; }
base=http://127.0.0.1:$PORT

# Every session first: the runs' own wrong passwords lock this address out of logging in.
declare -A tokens
for user in $ROLES; do
  password=$(awk -v user="$user" '$1 == user { print $2 }' "$work/serve.log")
  tokens[$user]=$(curl -sf -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$password\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
done
status=0
for user in $ROLES; do
  echo "== schemathesis as $user: --checks all, $EXAMPLES examples an operation"
  if ! schemathesis run "$base/openapi.json" --checks all --max-examples "$EXAMPLES" --workers 1 "${seed[@]}" \
      -H "Authorization: Bearer ${tokens[$user]}" -H "X-API-Key: contract-check-portal-key" \
      --exclude-path /api/v1/auth/logout --no-color >"$reports/$user.log" 2>&1; then
    status=1
  fi
  sed -n '/^=* SUMMARY =*$/,$p' "$reports/$user.log"
  [ "$status" -eq 0 ] || sed -n '/^=* FAILURES =*$/,/^=* SUMMARY =*$/p' "$reports/$user.log"
done

promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
  echo "== fetching promtool (Debian's prometheus package, unpacked in a temporary directory)"
  (cd "$work" && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus >/dev/null; }; })
  dpkg -x "$work"/prometheus_*.deb "$work/prometheus"
  promtool=$work/prometheus/usr/bin/promtool
fi
curl -sf "$base/metrics" >"$reports/metrics.txt"
echo "== promtool check metrics: $(grep -c '^# TYPE' "$reports/metrics.txt") metric families"
if ! "$promtool" check metrics <"$reports/metrics.txt"; then
  echo "promtool found problems in /metrics (above)" >&2
  status=1
fi
exit "$status"
