#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the test suite and print its URL.
# Uses the installed `postgresql` package; installs it with apt when it is missing.
# Usage: scripts/postgres.sh start|stop   (data in /tmp/cxpulse-pgdata-PORT, port $CXPULSE_TEST_PG_PORT or 55432)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${CXPULSE_TEST_PG_PORT:-55432}"
# Under /tmp: the server runs as the 'postgres' user, which may not enter the checkout's folder.
DATA="${CXPULSE_TEST_PG_DATA:-/tmp/cxpulse-pgdata-$PORT}"
LOG="$DATA.log"

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

BIN="$(find_bin || true)"
if [ -z "$BIN" ]; then
  echo "PostgreSQL server not found; installing the 'postgresql' package with apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
  BIN="$(find_bin)"
fi

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "${1:-start}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" = "0" ] && chown postgres "$DATA"
      as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust --no-sync >/dev/null
    fi
    [ "$(id -u)" = "0" ] && chown postgres "$DATA" && touch "$LOG" && chown postgres "$LOG"
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2
    fi
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
