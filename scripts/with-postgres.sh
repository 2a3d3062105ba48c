#!/usr/bin/env bash
# Runs a command with private PostgreSQL clusters: created with initdb in a temporary
# directory, listening on 127.0.0.1 only, owned by an unprivileged user, removed afterwards.
#
# - MOTCUA_TEST_DATABASE_URL: a superuser's URL to the `postgres` database of the main
#   cluster; the tests create a database of their own in it for each test.
# - MOTCUA_TEST_RESTART_DATABASE_URL and MOTCUA_PG_RESTART: a second cluster, and a script that
#   restarts it, for the one test that takes its database away mid-load (restarting the main
#   cluster would cut every other test's connections).
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
# Two ports, PORT and PORT+1: the first pair nobody listens on (a cluster left by another run
# must not make this one fail).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 50); do
  if ! listening "$port" && ! listening "$((port + 1))"; then break; fi
  port=$((port + 2))
done
password="motcua-test"
dir=$(mktemp -d "${TMPDIR:-/tmp}/motcua-pg.XXXXXX")
chmod 755 "$dir"

# initdb refuses to run as root: run the servers as an unprivileged user.
run=()
if [ "$(id -u)" = 0 ]; then
  user="${MOTCUA_PG_USER:-postgres}"
  id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  chown "$user" "$dir"
  run=(runuser -u "$user" --)
fi

clusters=()
stop() {
  for data in "${clusters[@]}"; do
    "${run[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}
trap stop EXIT

echo "$password" > "$dir/pwfile"
[ "$(id -u)" = 0 ] && chown "$user" "$dir/pwfile"

# start NAME PORT: a cluster in $dir/NAME listening on 127.0.0.1:PORT.
start() {
  local data="$dir/$1" log="$dir/$1.log"
  "${run[@]}" "$bindir/initdb" -D "$data" -U motcua --pwfile="$dir/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/$1.initdb.log" 2>&1 \
    || { cat "$dir/$1.initdb.log" >&2; exit 1; }
  clusters+=("$data")
  "${run[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $2 -k $dir -c max_connections=300 -c shared_buffers=128MB" start >/dev/null \
    || { cat "$log" >&2; exit 1; }
}
start main "$port"
start restartable "$((port + 1))"

export MOTCUA_TEST_DATABASE_URL="postgres://motcua:$password@127.0.0.1:$port/postgres?sslmode=disable"
export MOTCUA_TEST_RESTART_DATABASE_URL="postgres://motcua:$password@127.0.0.1:$((port + 1))/postgres?sslmode=disable"
# Fast shutdown: the server cuts its connections, as a crash or a failover would.
printf '#!/usr/bin/env bash\nexec %s "%s/pg_ctl" -D "%s/restartable" -m fast -w -t 60 restart >/dev/null\n' "${run[*]}" "$bindir" "$dir" > "$dir/restart.sh"
chmod 755 "$dir/restart.sh"
export MOTCUA_PG_RESTART="$dir/restart.sh"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port and :$((port + 1)) ($dir)" >&2
"$@"
