#!/usr/bin/env bash
# Stop the server started by pg-start.sh and remove its directory.
set -u
[ -n "${PGTMP:-}" ] && [ -d "$PGTMP" ] || exit 0
runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
"${runas[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$PGTMP"
