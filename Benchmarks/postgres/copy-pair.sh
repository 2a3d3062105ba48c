#!/usr/bin/env bash
# The most a parallel `migrate-store` could gain on this machine (issue #16): one copy of a
# commune's history alone, against two whole copies of it run at once, each into a fresh
# database of its own, alternated ROUNDS times. Two copies at once use the cores as a copy split
# over two connections at best would.
#
#   bash Benchmarks/postgres/copy-pair.sh                      # 20,000 demo dossiers
#   DOSSIERS=5000 ROUNDS=2 bash Benchmarks/postgres/copy-pair.sh
#
# Needs PostgreSQL's server programs; uses MOTCUA_TEST_DATABASE_URL when set, else starts a
# private cluster with scripts/with-postgres.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${MOTCUA_TEST_DATABASE_URL:-}" ]; then
  exec scripts/with-postgres.sh bash "$0" "$@"
fi
[ -n "${BIN:-}" ] || swift build -c release --product motcua >/dev/null
BIN=${BIN:-.build/release/motcua}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
MOTCUA_BCRYPT_COST=4 "$BIN" seed --demo "${DOSSIERS:-20000}" --data-dir "$work/commune" >/dev/null 2>&1
fresh() { # a new, empty database; its URL
  local name=copy_$(date +%s%N)
  psql -q "$MOTCUA_TEST_DATABASE_URL" -c "CREATE DATABASE $name"
  python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$MOTCUA_TEST_DATABASE_URL" "$name"
}
copy() { "$BIN" migrate-store --from "sqlite:$work/commune/motcua.sqlite" --to "$1" 2>/dev/null | tail -1 | sed -E 's/.* ([0-9.]+) giây.*/\1/'; }
seconds() { python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$1"; }
echo "== ${DOSSIERS:-20000} demo dossiers, $(nproc) cores"
for round in $(seq 1 "${ROUNDS:-3}"); do
  a=$(fresh) b=$(fresh) c=$(fresh)
  alone=$(copy "$a")
  started=$(date +%s.%N)
  copy "$b" >"$work/b" & other=$!
  copy "$c" >"$work/c"
  wait $other
  echo "round $round: one copy alone ${alone} s; two at once $(cat "$work/b") s and $(cat "$work/c") s (both done in $(seconds "$started") s)"
done
