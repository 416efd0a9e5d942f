#!/usr/bin/env bash
# Sourced by tests/run.sh: starts one PostgreSQL server on loopback for every
# test process (installing PostgreSQL from Debian when it is missing) and
# exports MPOS_TEST_POSTGRES_URL; each test creates its own database on it.
# `stop_postgres` stops it and removes its files.

pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ -z "$(pg_bin_dir)" ]; then
  echo "PostgreSQL is missing: installing it from Debian" >&2
  sudo_if_needed=""; [ "$(id -u)" -eq 0 ] || sudo_if_needed="sudo"
  $sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq postgresql >/dev/null
fi
pg_bin="$(pg_bin_dir)"
pg_dir="$(mktemp -d /tmp/mpos-pg.XXXXXX)"
chmod 755 "$pg_dir"
# The server refuses to run as root.
as_server=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$pg_dir"
  as_server=(runuser -u postgres --)
fi
"${as_server[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U mpos --auth=trust -E UTF8 --no-sync >/dev/null
pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# Correctness tests only: fsync off (the load benchmark starts its own, durable server).
"${as_server[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -s start \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=400"
export MPOS_TEST_POSTGRES_URL="postgres://mpos@127.0.0.1:$pg_port/postgres"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port for the tests"

stop_postgres() {
  "${as_server[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w -s stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
