#!/usr/bin/env bash
# Starts (or stops) a throwaway MariaDB on 127.0.0.1 for the importer's MySQL-source tests.
#   eval "$(bash scripts/test-mariadb.sh start)"   # exports TEST_MYSQL_URL
#   bash scripts/test-mariadb.sh stop
# The data directory lives in HANGGENT_TEST_MARIADB_DIR (default /tmp/hanggent-test-mariadb), which
# `stop` deletes; `start` reuses a server already running there and takes the first free port from
# HANGGENT_TEST_MYSQL_PORT (53306) upward. As root the server runs as the `mysql` user (Debian's).
# Only the `export …` line goes to stdout.
set -euo pipefail

STATE_DIR="${HANGGENT_TEST_MARIADB_DIR:-/tmp/hanggent-test-mariadb}"
PORT_FROM="${HANGGENT_TEST_MYSQL_PORT:-53306}"
DATA="$STATE_DIR/data"
PID_FILE="$STATE_DIR/mariadb.pid"
SOCKET="$STATE_DIR/mariadb.sock"
DATABASE=hanggent_import

fail() {
  echo "test-mariadb: $*" >&2
  exit 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for port in $(seq "$1" $(($1 + 100))); do
    port_in_use "$port" || { echo "$port"; return; }
  done
  fail "no free port in $1..$(($1 + 100))"
}

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

server_binary() { command -v mariadbd 2>/dev/null || command -v mysqld 2>/dev/null || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -1; }

start() {
  local server
  server=$(server_binary)
  [ -n "$server" ] || fail "MariaDB is not installed (apt-get install -y mariadb-server)"
  mkdir -p "$STATE_DIR"
  local user_args=()
  if [ "$(id -u)" = "0" ]; then
    chown mysql "$STATE_DIR"
    user_args=(--user=mysql)
  fi
  if running; then
    PORT=$(cat "$STATE_DIR/port")
  else
    if [ ! -d "$DATA/mysql" ]; then
      mariadb-install-db --no-defaults --datadir="$DATA" --auth-root-authentication-method=normal --skip-test-db \
        "${user_args[@]}" >"$STATE_DIR/install.log" 2>&1 || { cat "$STATE_DIR/install.log" >&2; fail "mariadb-install-db failed"; }
    fi
    PORT=$(free_port "$PORT_FROM")
    echo "$PORT" >"$STATE_DIR/port"
    # Small buffers and no durability: a test server that starts in about a second.
    "$server" --no-defaults --datadir="$DATA" --socket="$SOCKET" --pid-file="$PID_FILE" --port="$PORT" --bind-address=127.0.0.1 \
      --skip-name-resolve --innodb-buffer-pool-size=32M --innodb-log-file-size=8M --innodb-flush-log-at-trx-commit=0 \
      --skip-log-bin --log-error="$STATE_DIR/mariadb.log" "${user_args[@]}" >/dev/null 2>&1 &
    for _ in $(seq 1 200); do
      [ -S "$SOCKET" ] && port_in_use "$PORT" && break
      sleep 0.05
    done
    [ -S "$SOCKET" ] || { cat "$STATE_DIR/mariadb.log" >&2; fail "MariaDB did not start"; }
  fi
  # A password user for TCP (root over the socket uses unix_socket auth), and the test database.
  mariadb --no-defaults --socket="$SOCKET" -u root <<SQL || fail "could not create the test user"
CREATE DATABASE IF NOT EXISTS $DATABASE;
CREATE USER IF NOT EXISTS 'hanggent'@'127.0.0.1' IDENTIFIED BY 'hanggent';
GRANT ALL ON *.* TO 'hanggent'@'127.0.0.1';
SQL
  echo "export TEST_MYSQL_URL=mysql://hanggent:hanggent@127.0.0.1:$PORT/$DATABASE"
}

stop() {
  [ -d "$STATE_DIR" ] || return 0
  if running; then
    local pid
    pid=$(cat "$PID_FILE")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$STATE_DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
