#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL and Redis on 127.0.0.1 for the test suite.
#   eval "$(bash scripts/test-services.sh start)"   # exports TEST_DATABASE_URL and TEST_REDIS_URL
#   bash scripts/test-services.sh stop
# Everything lives in one state directory (HANGGENT_TEST_SERVICES_DIR, default
# /tmp/hanggent-test-services) that `stop` deletes. `start` reuses services already running there, and
# takes the first free port from HANGGENT_TEST_PG_PORT (55432) / HANGGENT_TEST_REDIS_PORT (56379) upward.
# initdb refuses to run as root, so as root the PostgreSQL server runs as the `postgres` user.
# Only the `export …` lines go to stdout; progress and errors go to stderr.
set -euo pipefail

STATE_DIR="${HANGGENT_TEST_SERVICES_DIR:-/tmp/hanggent-test-services}"
PG_PORT_FROM="${HANGGENT_TEST_PG_PORT:-55432}"
REDIS_PORT_FROM="${HANGGENT_TEST_REDIS_PORT:-56379}"
PG_USER=postgres
DATABASE=hanggent_test
PG_DATA="$STATE_DIR/pg"
REDIS_PID_FILE="$STATE_DIR/redis.pid"

fail() {
  echo "test-services: $*" >&2
  exit 1
}

is_root() { [ "$(id -u)" = "0" ]; }

# The directory holding the PostgreSQL server binaries (initdb on PATH, else the newest Debian install).
pg_bindir() {
  local initdb
  initdb=$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$initdb" ] || fail "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found"
  dirname "$(readlink -f "$initdb")"
}

# Runs a command as the PostgreSQL owner, from a directory that user can read.
as_postgres() {
  if is_root; then
    (cd "$STATE_DIR" && runuser -u "$PG_USER" -- "$@")
  else
    (cd "$STATE_DIR" && "$@")
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The first port from $1 upward that nothing listens on.
free_port() {
  local port
  for port in $(seq "$1" $(($1 + 100))); do
    port_in_use "$port" || { echo "$port"; return; }
  done
  fail "no free port in $1..$(($1 + 100))"
}

pg_running() {
  [ -f "$PG_DATA/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

redis_running() {
  [ -f "$REDIS_PID_FILE" ] && kill -0 "$(cat "$REDIS_PID_FILE")" 2>/dev/null
}

init_postgres() {
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C --no-sync \
    >"$STATE_DIR/initdb.log" 2>&1 || { cat "$STATE_DIR/initdb.log" >&2; fail "initdb failed"; }
  # Single-user mode creates the database before the server starts, so no client binary is needed.
  echo "CREATE DATABASE $DATABASE;" | as_postgres "$PG_BIN/postgres" --single -D "$PG_DATA" -F postgres \
    >>"$STATE_DIR/initdb.log" 2>&1 || { cat "$STATE_DIR/initdb.log" >&2; fail "could not create database $DATABASE"; }
}

start_postgres() {
  if pg_running; then
    PG_PORT=$(cat "$STATE_DIR/pg.port")
    return
  fi
  [ -f "$PG_DATA/PG_VERSION" ] || init_postgres
  PG_PORT=$(free_port "$PG_PORT_FROM")
  echo "$PG_PORT" >"$STATE_DIR/pg.port"
  local settings="-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$STATE_DIR"
  settings+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$STATE_DIR/postgres.log" -w -t 60 -o "$settings" start >/dev/null \
    || { cat "$STATE_DIR/postgres.log" >&2; fail "PostgreSQL did not start"; }
  # pg_ctl -w already waited for the server; pg_isready (when installed) double-checks the TCP listener.
  local isready="$PG_BIN/pg_isready"
  [ -x "$isready" ] || isready=$(command -v pg_isready || true)
  [ -n "$isready" ] || return 0
  for _ in $(seq 1 100); do
    "$isready" -q -h 127.0.0.1 -p "$PG_PORT" -d "$DATABASE" -U "$PG_USER" && return
    sleep 0.1
  done
  fail "PostgreSQL does not answer on 127.0.0.1:$PG_PORT; see $STATE_DIR/postgres.log"
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || fail "redis-server is not installed (apt-get install -y redis-server)"
  if redis_running; then
    REDIS_PORT=$(cat "$STATE_DIR/redis.port")
    return
  fi
  REDIS_PORT=$(free_port "$REDIS_PORT_FROM")
  echo "$REDIS_PORT" >"$STATE_DIR/redis.port"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
    --pidfile "$REDIS_PID_FILE" --logfile "$STATE_DIR/redis.log" --dir "$STATE_DIR" >/dev/null \
    || fail "redis-server did not start; see $STATE_DIR/redis.log"
  for _ in $(seq 1 100); do
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ] && return
    sleep 0.1
  done
  fail "Redis does not answer on 127.0.0.1:$REDIS_PORT; see $STATE_DIR/redis.log"
}

stop_all() {
  [ -d "$STATE_DIR" ] || return 0
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    PG_BIN=$(pg_bindir)
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if redis_running; then
    local pid
    pid=$(cat "$REDIS_PID_FILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$STATE_DIR"
}

case "${1:-}" in
  start)
    mkdir -p "$STATE_DIR"
    if is_root; then chown "$PG_USER" "$STATE_DIR"; fi
    PG_BIN=$(pg_bindir)
    start_postgres
    start_redis
    echo "export TEST_DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/$DATABASE"
    echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    ;;
  stop) stop_all ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
