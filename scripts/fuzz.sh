#!/usr/bin/env bash
# Run every Go fuzz target for the given time (default 10s) each.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-10s}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $pkg $f ($t)"
    if ! go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" >/tmp/fuzz.$$.log 2>&1; then
      # Go 1.26's fuzz coordinator can report its own -fuzztime deadline as a failure
      # (golang/go#75804, fixed in 1.27). A real finding always writes its failing input.
      if grep -q 'context deadline exceeded' /tmp/fuzz.$$.log && ! grep -q 'Failing input written' /tmp/fuzz.$$.log; then
        echo "  (stopped by the fuzztime deadline race golang/go#75804, no failing input: not a finding)"
        continue
      fi
      cat /tmp/fuzz.$$.log
      exit 1
    fi
  done
done
rm -f /tmp/fuzz.$$.log
