#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL and Redis on loopback for the test suite.
#   eval "$(bash scripts/test-services.sh start)"   # exports TEST_DATABASE_URL and TEST_REDIS_URL
#   bash scripts/test-services.sh stop
# PostgreSQL's initdb refuses to run as root, so the server runs as the `postgres` user.
set -euo pipefail

STATE_DIR="${HANGGENT_TEST_SERVICES_DIR:-/tmp/hanggent-test-services}"
PG_PORT="${HANGGENT_TEST_PG_PORT:-55432}"
REDIS_PORT="${HANGGENT_TEST_REDIS_PORT:-56379}"
PG_USER=postgres

pg_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$found" ] && { echo "$found"; return; }
  echo "PostgreSQL server binary '$name' not found" >&2
  exit 1
}

as_postgres() {
  if [ "$(id -u)" = "0" ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

start_postgres() {
  local data="$STATE_DIR/pg"
  local initdb pg_ctl
  initdb=$(pg_bin initdb); pg_ctl=$(pg_bin pg_ctl)
  mkdir -p "$STATE_DIR"
  [ "$(id -u)" = "0" ] && chown "$PG_USER" "$STATE_DIR"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_postgres "$initdb" -D "$data" -U postgres --auth=trust --no-sync >"$STATE_DIR/initdb.log" 2>&1 \
      || { cat "$STATE_DIR/initdb.log" >&2; exit 1; }
  fi
  if ! as_postgres "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$pg_ctl" -D "$data" -l "$STATE_DIR/postgres.log" -w -t 60 start \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$STATE_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null \
      || { cat "$STATE_DIR/postgres.log" >&2; exit 1; }
  fi
  for _ in $(seq 1 60); do
    if as_postgres psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  as_postgres psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atc "select 1 from pg_database where datname='hanggent_test'" | grep -q 1 \
    || as_postgres psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc 'create database hanggent_test' >/dev/null
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis-server is not installed (apt-get install -y redis-server)" >&2
    exit 1
  fi
  mkdir -p "$STATE_DIR"
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
      --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log" --dir "$STATE_DIR" >/dev/null
  fi
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "redis did not start; see $STATE_DIR/redis.log" >&2
  exit 1
}

stop_all() {
  if [ -f "$STATE_DIR/pg/PG_VERSION" ]; then
    as_postgres "$(pg_bin pg_ctl)" -D "$STATE_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$STATE_DIR"
}

case "${1:-}" in
  start)
    start_postgres
    start_redis
    echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/hanggent_test"
    echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
