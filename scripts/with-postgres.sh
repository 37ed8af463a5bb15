#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server, e.g.
#   scripts/with-postgres.sh .venv/bin/python -m pytest tests -q
# Starts a private server on a free port of 127.0.0.1 in a temporary directory, creates a
# database, exports TEST_DATABASE_URL (postgresql+asyncpg://...) and PG* variables, runs the
# command, then stops the server and deletes the directory. Exits with the command's status.
# Installs the server with apt-get when it is missing (needs root; works with CI=true and no
# stdin). PostgreSQL refuses to run as root, so as root the server runs as the `postgres`
# system user (created if absent).
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 command [args...]" >&2
    exit 2
fi

log() { echo "with-postgres: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else log "need root to run: $*"; return 1
    fi
}

find_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"; return 0
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"; return 0
    fi
    return 1
}

if ! BINDIR=$(find_bindir); then
    log "PostgreSQL server not found; installing it with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q </dev/null >&2
    as_root apt-get install -y -q --no-install-recommends postgresql </dev/null >&2
    BINDIR=$(find_bindir) || { log "initdb/pg_ctl still missing after install"; exit 1; }
fi

# The user the server runs as: ourselves, or `postgres` when we are root.
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    fi
    if command -v runuser >/dev/null 2>&1; then RUN_AS=(runuser -u postgres --)
    else RUN_AS=(su -s /bin/sh postgres -c '"$0" "$@"'); fi
fi
pg() { (cd "$WORKDIR" && "${RUN_AS[@]}" "$@" </dev/null); }

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXX")
[ "$(id -u)" -eq 0 ] && chown postgres: "$WORKDIR"
chmod 700 "$WORKDIR"
PGDATA_DIR="$WORKDIR/data"
STARTED=0

cleanup() {
    local rc=$?
    if [ "$STARTED" -eq 1 ]; then
        pg "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORKDIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg "$BINDIR/initdb" -D "$PGDATA_DIR" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$WORKDIR/initdb.log" 2>&1 \
    || { cat "$WORKDIR/initdb.log" >&2; exit 1; }

# A free port: let the server try random ones until one binds.
PORT=""
for _ in $(seq 1 20); do
    candidate=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if pg "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$WORKDIR/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $candidate -k $WORKDIR -c max_connections=200" start >/dev/null 2>&1; then
        PORT=$candidate; STARTED=1; break
    fi
done
if [ -z "$PORT" ]; then
    log "could not start PostgreSQL"; cat "$WORKDIR/server.log" >&2 || true; exit 1
fi

DB=fupin_test
pg "$BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE DATABASE $DB" >&2

export TEST_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:$PORT/$DB"
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=$DB
log "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($TEST_DATABASE_URL)"

set +e
"$@"
rc=$?
set -e
exit "$rc"
