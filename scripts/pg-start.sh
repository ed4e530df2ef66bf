#!/usr/bin/env bash
# Start a throw-away PostgreSQL in a temporary directory and print its URL on stdout.
# Usage: eval "$(scripts/pg-start.sh)"   → sets SUNSHINE_TEST_PG and PGTMP (stop: scripts/pg-stop.sh)
# Installs Debian's postgresql when no server binaries are found. Fails loudly: tests never skip
# PostgreSQL.
set -euo pipefail
log() { echo "pg-start: $*" >&2; }

bindir=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir="$d"; done
if [ -z "$bindir" ]; then
  log "installing postgresql from Debian"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir="$d"; done
fi
[ -n "$bindir" ] || { log "no PostgreSQL server binaries found"; exit 1; }

# initdb refuses to run as root: run the server as the postgres user (created by the package).
runas=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /nonexistent --shell /usr/sbin/nologin postgres
  runas=(runuser -u postgres --)
fi

tmp=$(mktemp -d /tmp/sunshine-pg.XXXXXX)
chmod 755 "$tmp"
[ ${#runas[@]} -gt 0 ] && chown postgres "$tmp"
port=$(( 20000 + RANDOM % 20000 ))
"${runas[@]}" "$bindir/initdb" -D "$tmp/data" -U sunshine --auth=trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
"${runas[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >&2 \
  || { cat "$tmp/server.log" >&2; exit 1; }
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U sunshine sunshine_test >&2
echo "export PGTMP=$tmp PGBIN=$bindir"
echo "export SUNSHINE_TEST_PG='postgres://sunshine@127.0.0.1:$port/sunshine_test?sslmode=disable'"
