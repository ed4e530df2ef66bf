#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what it needs (Debian's chromium and
# sqlite3, the npm packages), starts a throw-away PostgreSQL, runs the Go tests on SQLite AND
# PostgreSQL, a short fuzz pass, the front-end unit tests and the end-to-end tests in headless
# Chromium. Any failure fails the run; PostgreSQL is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n=== %s\n' "$*"; }

step "tools"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
# CJK font: screenshots of the Chinese UI are unreadable without one.
[ -d /usr/share/fonts/truetype/wqy ] || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "PostgreSQL"
eval "$(scripts/pg-start.sh)"
trap 'scripts/pg-stop.sh' EXIT
export PGTMP PGBIN SUNSHINE_TEST_PG

step "web: install and build"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build)

step "go vet"
go vet ./...

step "go test on SQLite"
SUNSHINE_TEST_DB=sqlite go test -count=1 ./...

step "go test on PostgreSQL"
SUNSHINE_TEST_DB=postgres go test -count=1 ./...

step "fuzz (short pass over every parser of outside input)"
scripts/fuzz.sh "${FUZZTIME:-5s}"

step "web unit tests"
(cd web && npm test)

step "end-to-end in headless Chromium"
go build -o bin/sunshine ./cmd/sunshine
SUNSHINE_BIN="$PWD/bin/sunshine" node --test --test-concurrency=1 web/e2e/
