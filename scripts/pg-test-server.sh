#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the tests, on 127.0.0.1 only.
#   scripts/pg-test-server.sh [start]  start it if needed; print its SQLAlchemy URL (only stdout line)
#   scripts/pg-test-server.sh stop     stop it (the data stays; rm -rf the dir to reset)
# Settings: PGTEST_DIR (default /tmp/bouteilles-pgtest), PGTEST_PORT (default 54329).
set -euo pipefail

dir=$(realpath -m "${PGTEST_DIR:-/tmp/bouteilles-pgtest}")
port=${PGTEST_PORT:-54329}
cd /  # the postgres user may not be able to read the caller's working directory

log() { echo "pg-test-server: $*" >&2; }

# Use the server version the cluster was made with, else the newest one installed.
if [ -f "$dir/PG_VERSION" ] && [ -x "/usr/lib/postgresql/$(cat "$dir/PG_VERSION")/bin/initdb" ]; then
  bin=/usr/lib/postgresql/$(cat "$dir/PG_VERSION")/bin
else
  bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1 || true)
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  log "no PostgreSQL server under /usr/lib/postgresql; run scripts/ensure-system-packages.sh"; exit 1
fi

# initdb and pg_ctl refuse to run as root: then run them as the Debian "postgres" user.
if [ "$(id -u)" -eq 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
pg_ctl() { as_pg "$bin/pg_ctl" -D "$dir" "$@"; }

# Serialize concurrent invocations (e.g. make -j): start/initdb are not race-safe.
exec 9>"$dir.lock"
flock 9

if [ "${1:-start}" = stop ]; then
  if pg_ctl status >/dev/null 2>&1; then pg_ctl stop -s -m fast -w >&2; log "stopped"; fi
  exit 0
elif [ "${1:-start}" != start ]; then
  log "usage: $0 [start|stop]"; exit 2
fi

if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$dir"
  chmod 700 "$dir"
  # C.UTF-8: deterministic collation, yet lower()/upper() still know accented letters.
  # peer for the admin socket, passwords over TCP (the app connects over TCP).
  if ! out=$(as_pg "$bin/initdb" -D "$dir" -N -E UTF8 --locale=C.UTF-8 \
               --auth-local=peer --auth-host=scram-sha-256 2>&1); then
    echo "$out" >&2; log "initdb failed"; exit 1
  fi
  echo "include_if_exists = 'bouteilles-test.conf'" | as_pg tee -a "$dir/postgresql.conf" >/dev/null
  log "initialized $dir"
fi

# Rewritten at each start so that a changed PGTEST_PORT takes effect.
# Durability is off: the data is disposable and the suite gets much faster.
as_pg tee "$dir/bouteilles-test.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
# No autovacuum: its workers (owned by the superuser) make DROP DATABASE … WITH
# (FORCE) fail for the non-superuser test role, and test databases live seconds.
autovacuum = off
EOF

# After a reboot or a kill -9 the pid file can outlive the server, and its pid may
# now belong to an unrelated process (pg_ctl would then believe the server runs).
if [ -f "$dir/postmaster.pid" ]; then
  pid=$(head -n 1 "$dir/postmaster.pid")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != postgres ]; then
    log "removing stale postmaster.pid (pid $pid)"
    rm -f "$dir/postmaster.pid"
  fi
fi

if ! pg_ctl status >/dev/null 2>&1; then
  # 9>&-: the server must not inherit the lock, or it would hold it forever.
  if ! pg_ctl start -s -w -t 60 -l "$dir/server.log" >&2 9>&-; then
    tail -n 20 "$dir/server.log" >&2 || true
    log "could not start (log: $dir/server.log)"; exit 1
  fi
  log "started on 127.0.0.1:$port"
else
  pg_ctl reload -s >&2 9>&-  # pick up settings added since it started
fi

# Admin connection: unix socket, as the cluster's superuser (the OS user running initdb).
as_pg "$bin/psql" -h "$dir" -p "$port" -d postgres -X -q -v ON_ERROR_STOP=1 >&2 <<'SQL'
SELECT 'CREATE ROLE bouteilles LOGIN CREATEDB PASSWORD ''bouteilles'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bouteilles') \gexec
SELECT 'CREATE DATABASE bouteilles OWNER bouteilles'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'bouteilles') \gexec
SQL

echo "postgresql+psycopg://bouteilles:bouteilles@127.0.0.1:$port/bouteilles"
