#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 server on loopback for the store tests.
#
#   scripts/pg.sh start   install (if missing), create and start the cluster, create the test database
#   scripts/pg.sh url     print the SQLAlchemy URL of the test database
#   scripts/pg.sh stop    stop the cluster (fast mode) and remove its data directory
#
# Environment: CCTVSCOPE_PGDATA (default /tmp/cctvscope-pg), CCTVSCOPE_PGPORT (default 55432).
# As root it installs the Debian packages when missing and runs the server as user `postgres`
# (initdb refuses to run as root); as any other user it runs the server as that user and
# expects the packages to be installed. Every step is idempotent.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
POSTGIS_CONTROL=/usr/share/postgresql/15/extension/postgis.control
BASE=${CCTVSCOPE_PGDATA:-/tmp/cctvscope-pg}
PORT=${CCTVSCOPE_PGPORT:-55432}
DB=cctvscope_test
DATA=$BASE/data
LOG=$BASE/server.log

say() { echo "pg.sh: $*"; }

# Run a command as the server's owner: `postgres` when we are root, else ourselves.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -s /bin/bash -c "$1"
    else
        bash -c "$1"
    fi
}

psql_cmd() {
    PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"
}

is_running() {
    [ -f "$DATA/postmaster.pid" ] && as_postgres "'$PGBIN/pg_ctl' -D '$DATA' status" >/dev/null 2>&1
}

install_if_missing() {
    if [ -x "$PGBIN/initdb" ] && [ -f "$POSTGIS_CONTROL" ]; then
        say "PostgreSQL 15 and PostGIS 3 are installed"
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        say "PostgreSQL 15 / PostGIS 3 missing; as root: apt-get install postgresql-15 postgresql-15-postgis-3" >&2
        exit 1
    fi
    say "installing postgresql-15 and postgresql-15-postgis-3 (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
    say "installed"
}

start() {
    install_if_missing
    mkdir -p "$BASE"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$BASE"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        say "creating cluster in $DATA"
        as_postgres "'$PGBIN/initdb' -D '$DATA' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" \
            >"$BASE/initdb.log" 2>&1 || { cat "$BASE/initdb.log" >&2; exit 1; }
    fi
    if is_running; then
        say "server already running on 127.0.0.1:$PORT"
    else
        say "starting server on 127.0.0.1:$PORT"
        as_postgres "'$PGBIN/pg_ctl' -D '$DATA' -l '$LOG' -w -t 60 \
            -o \"-c listen_addresses=127.0.0.1 -p $PORT -k '$BASE' -c fsync=off\" start" >/dev/null \
            || { tail -n 20 "$LOG" >&2; exit 1; }
    fi
    if [ "$(psql_cmd -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
        say "creating database $DB"
        psql_cmd -d postgres -c "CREATE DATABASE $DB"
    fi
    psql_cmd -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS postgis"
    say "ready: $(url)"
}

stop() {
    if is_running; then
        say "stopping server"
        as_postgres "'$PGBIN/pg_ctl' -D '$DATA' -m fast -w stop" >/dev/null
    else
        say "server not running"
    fi
    if [ -d "$BASE" ]; then
        say "removing $BASE"
        rm -rf "$BASE"
    fi
}

url() {
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *)
        echo "usage: $0 start|stop|url" >&2
        exit 2
        ;;
esac
