#!/usr/bin/env bash
# Runs a command with a private PostgreSQL cluster: created with initdb in a temporary
# directory, listening on 127.0.0.1 only, owned by an unprivileged user, removed afterwards.
# The command finds it through MOTCUA_TEST_DATABASE_URL (a superuser's URL to the `postgres`
# database; the tests create a database of their own in it for each test).
#
#   scripts/with-postgres.sh swift test
#   MOTCUA_PG_PORT=55999 scripts/with-postgres.sh swift test --filter Postgres
#
# Needs PostgreSQL's server programs (Debian: apt-get install postgresql).
set -euo pipefail

bindir="${MOTCUA_PG_BINDIR:-}"
if [ -z "$bindir" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: no PostgreSQL server programs found (apt-get install postgresql, or set MOTCUA_PG_BINDIR)" >&2
  exit 69
fi
port="${MOTCUA_PG_PORT:-55432}"
password="motcua-test"
dir=$(mktemp -d "${TMPDIR:-/tmp}/motcua-pg.XXXXXX")
chmod 755 "$dir"

# initdb refuses to run as root: run the server as an unprivileged user.
run=()
if [ "$(id -u)" = 0 ]; then
  user="${MOTCUA_PG_USER:-postgres}"
  id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  chown "$user" "$dir"
  run=(runuser -u "$user" --)
fi

stop() {
  "${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

echo "$password" > "$dir/pwfile"
[ "$(id -u)" = 0 ] && chown "$user" "$dir/pwfile"
"${run[@]}" "$bindir/initdb" -D "$dir/data" -U motcua --pwfile="$dir/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=128MB" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

export MOTCUA_TEST_DATABASE_URL="postgres://motcua:$password@127.0.0.1:$port/postgres?sslmode=disable"
export MOTCUA_PG_BINDIR="$bindir" MOTCUA_PG_DATA="$dir/data"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2
"$@"
