#!/usr/bin/env bash
# `make bench`: the figures the issues name, each beside a baseline measured in the same run,
# on SQLite and on a throw-away PostgreSQL. Prints a table; raw output goes to bench-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-out
eval "$(scripts/pg-start.sh)"
trap 'scripts/pg-stop.sh' EXIT
export SUNSHINE_TEST_PG

run() { # dialect package pattern benchtime
  SUNSHINE_TEST_DB=$1 go test -run '^$' -bench "$3" -benchtime "$4" -timeout 30m "$2" | tee -a "bench-out/$1.txt" | grep '^Benchmark' || true
}
: > bench-out/sqlite.txt; : > bench-out/postgres.txt
for dialect in sqlite postgres; do
  echo "== $dialect" >&2
  run $dialect ./internal/demo 'DemoCity|DemoSmall' 1x >&2
  run $dialect ./internal/audit 'Record' 2000x >&2
  run $dialect ./internal/audit 'Verify|ScanFloor' 3x >&2
  run $dialect ./internal/registry 'ImportMembers' 1x >&2 # SUNSHINE_BENCH_MEMBERS rows, default 1,000,000
  run $dialect ./internal/registry 'BenchmarkList$' 900x >&2 # the city with ~1,000,000 members
  run $dialect ./internal/visits 'BenchmarkCompliance$' 20x >&2 # the city demo with its visits
  run $dialect ./internal/crosscheck 'BenchmarkCrosscheckRun$' 1x >&2 # SUNSHINE_BENCH_ROWS rows (20,000,000) against SUNSHINE_BENCH_CC_MEMBERS (1,000,000)
  run $dialect ./internal/payments 'BenchmarkImportPayments' 1x >&2 # SUNSHINE_BENCH_PAYMENTS rows, default 10,000,000
  run $dialect ./internal/funds 'BenchmarkTraceFund$' 5x >&2 # a fund with SUNSHINE_BENCH_FUND_PAYMENTS payments (1,000,000)
  run $dialect ./internal/funds 'BenchmarkStatement$' 2000x >&2 # random households of the same ledger
  run $dialect ./internal/oversight 'BenchmarkEvaluate$' 1x >&2 # SUNSHINE_BENCH_EVAL_PAYMENTS payments (10,000,000) to SUNSHINE_BENCH_EVAL_MEMBERS members (1,000,000), then 200 new payments one at a time
  run $dialect ./internal/projects 'Board|ProjectList|AssetRegister|AssetList|ProjectGet|Select1' 100x >&2 # SUNSHINE_BENCH_PROJECTS projects (20,000) and SUNSHINE_BENCH_ASSETS assets (100,000)
done
run sqlite ./internal/app 'ColdStart|ProcessStart' 10x >&2
run sqlite ./internal/app 'HTTPRegionGet|HTTPBare' 30000x >&2
run sqlite ./internal/app 'Sync50Phones' 2000x >&2
run sqlite ./internal/app 'FieldDownload' 50x >&2
run sqlite ./internal/app 'PublicUnderConsole' 20000x >&2 # issue 9: public portal on the whole city demo, quiet, console in use, console flat out

# metric NAME FILE UNIT: the value printed before UNIT on the benchmark's line
metric() { grep "^$1-" "bench-out/$2.txt" | head -1 | awk -v u="$3" '{for(i=1;i<=NF;i++) if($i==u) print $(i-1)}'; }
nsop() { grep "^$1-" "bench-out/$2.txt" | head -1 | awk '{for(i=1;i<=NF;i++) if($i=="ns/op") printf "%.3f s", $(i-1)/1e9}'; }

printf '\n| figure | value | baseline (same run) | goal |\n|---|---|---|---|\n'
printf '| serve cold start to ready, city demo, SQLite | %s ms | process start (`sunshine version`): %s | < 1000 ms |\n' \
  "$(metric BenchmarkColdStart sqlite ms-to-ready)" "$(nsop BenchmarkProcessStart sqlite)"
for d in sqlite postgres; do
  printf '| demo --scale city, %s | %s (%s rows/s) | demo --scale small: %s | < 30 s |\n' \
    "$d" "$(nsop BenchmarkDemoCity $d)" "$(metric BenchmarkDemoCity $d rows/s)" "$(nsop BenchmarkDemoSmall $d)"
done
rg=$(metric BenchmarkHTTPRegionGet sqlite req/s); bare=$(metric BenchmarkHTTPBare sqlite req/s)
printf '| GET /api/v1/regions/{code}, authenticated, 32 clients | %s req/s, p99 %s ms (%s%% of bare) | bare net/http handler: %s req/s, p99 %s ms | ≥ 40%%, p99 < 20 ms |\n' \
  "$rg" "$(metric BenchmarkHTTPRegionGet sqlite p99-ms)" "$(awk -v a="$rg" -v b="$bare" 'BEGIN{printf "%.0f", 100*a/b}')" "$bare" "$(metric BenchmarkHTTPBare sqlite p99-ms)"
printf '| field sync, 50 phones on loopback, one 200 KB JPEG per visit (part upload + sync, signals and audit), SQLite | %s visits/s, p99 %s ms, %s ms CPU a visit; lost %s, duplicates %s | bare net/http handler reading the same 200 KB: %s req/s, p99 %s ms | ≥ 200/s, p99 < 500 ms, none lost or twice |\n' \
  "$(metric BenchmarkSync50Phones sqlite visits/s)" "$(metric BenchmarkSync50Phones sqlite p99-ms)" "$(metric BenchmarkSync50Phones sqlite cpu-ms/visit)" \
  "$(metric BenchmarkSync50Phones sqlite lost)" "$(metric BenchmarkSync50Phones sqlite duplicates)" "$(metric BenchmarkSync50Phones sqlite bare-req/s)" "$(metric BenchmarkSync50Phones sqlite bare-p99-ms)"
printf '| field app initial download, helper with 10 households × 4 visits | %s bytes | - | < 200 KB |\n' "$(metric BenchmarkFieldDownload sqlite bytes)"
for d in sqlite postgres; do
  printf '| audit append, one event per write transaction, %s | %s events/s | %s events/s appended in one bulk transaction | - |\n' \
    "$d" "$(metric BenchmarkRecord $d events/s)" "$(metric BenchmarkRecordInBatch $d events/s)"
  printf '| audit verify, %s | %s events/s | scan of the same rows without hashing: %s rows/s | ≥ 1,000,000/s |\n' \
    "$d" "$(metric BenchmarkVerify $d events/s)" "$(metric BenchmarkScanFloor $d rows/s)"
done
for d in sqlite postgres; do
  printf '| import %s members (CSV), %s | %s rows/s, %s× the baseline, peak %s MB RSS (Go heap %s MB) | read + validate the same file: %s rows/s | ≤ 3×, < 500 MB |\n' \
    "${SUNSHINE_BENCH_MEMBERS:-1000000}" "$d" "$(metric BenchmarkImportMembers/import $d rows/s)" "$(metric BenchmarkImportMembers/import $d x-parse)" \
    "$(metric BenchmarkImportMembers/import $d peak-rss-MB)" "$(metric BenchmarkImportMembers/import $d peak-heap-MB)" "$(metric BenchmarkImportMembers/parse $d rows/s)"
done
for d in sqlite postgres; do
  printf '| household list page (50 rows, mixed filters and deep cursors), %s members, %s | p50 %s ms, p99 %s ms | primary-key page of the same table: p50 %s ms, p99 %s ms | p99 < 100 ms |\n' \
    "$(metric BenchmarkList/Page $d members)" "$d" "$(metric BenchmarkList/Page $d p50-ms)" "$(metric BenchmarkList/Page $d p99-ms)" \
    "$(metric BenchmarkList/Floor $d p50-ms)" "$(metric BenchmarkList/Floor $d p99-ms)"
done
for d in sqlite postgres; do
  printf '| visit compliance 2026Q3 (totals, children, signs), city demo, %s | county %s ms, city %s ms | COUNT(*) of the same due households: county %s ms, city %s ms | - |\n' \
    "$d" "$(metric BenchmarkCompliance/County $d ms/op)" "$(metric BenchmarkCompliance/City $d ms/op)" \
    "$(metric BenchmarkCompliance/CountyCount $d ms/op)" "$(metric BenchmarkCompliance/CityCount $d ms/op)"
done
# Front-end bundle sizes from the current build (make ui): what a helper's phone downloads
# (the field app, JS+CSS+service worker+page, gzip -9) beside what the office console ships.
gz() { find "$@" -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.webmanifest' \) -print0 | xargs -0 -n1 sh -c 'gzip -9c "$0" | wc -c' | awk '{s+=$1} END {printf "%.1f KB", s/1000}'; }
if [ -f web/dist/m/index.html ]; then
  printf '| field app bundle, gzipped (JS, CSS, service worker, page, manifest) | %s | office console bundle: %s | < 250 KB |\n' \
    "$(gz web/dist/m)" "$(gz web/dist/index.html web/dist/assets)"
fi
# Cross-check (issue 5): end to end = LoadSnapshot from the database + scan of the ten files + rules.
ccn=${SUNSHINE_BENCH_ROWS:-20000000}
for d in sqlite postgres; do
  cc=BenchmarkCrosscheckRun/rows=$ccn
  printf '| cross-check run, %s members, %s rows in 10 CSV files (%s MB), %s | %s s end to end (snapshot from the database %s s), %s rows/s, %s MB/s, peak %s MB RSS (Go heap %s MB); scan + rules alone %s s = %s× wc -l, at ¼ and ½ the rows %s s, %s s | cat: %s s; wc -l: %s s (run: %s×); sqlite3 .import + join: %s s (run %s× faster) | ≤ 2× wc -l, ≥ 10× SQLite, < 1 GB, linear |\n' \
    "${SUNSHINE_BENCH_CC_MEMBERS:-1000000}" "$ccn" "$(metric $cc $d file-MB)" "$d" "$(metric $cc $d run-s)" "$(metric $cc $d snapshot-s)" \
    "$(metric $cc $d rows/s)" "$(metric $cc $d MB/s)" "$(metric $cc $d peak-rss-MB)" "$(metric $cc $d peak-heap-MB)" "$(metric $cc $d scan-s)" "$(metric $cc $d x-wc-scan)" \
    "$(metric BenchmarkCrosscheckRun/rows=$((ccn / 4)) $d scan-s)" "$(metric BenchmarkCrosscheckRun/rows=$((ccn / 2)) $d scan-s)" \
    "$(metric $cc $d cat-s)" "$(metric $cc $d wc-s)" "$(metric $cc $d x-wc)" "$(metric $cc $d sqlite-s)" "$(metric $cc $d sqlite-x)"
done
# Funds (issue 6): the Sankey trace of a fund with a million payments, a household's statement.
for d in sqlite postgres; do
  printf '| fund trace (Sankey, county finance office, JSON), %s payments, %s | %s ms (CPU in the Go process %s ms) | COUNT(*) of the fund'"'"'s transfers: %s ms | < 1 s |\n' \
    "$(metric BenchmarkTraceFund/Trace $d payments)" "$d" "$(metric BenchmarkTraceFund/Trace $d ms/trace)" "$(metric BenchmarkTraceFund/Trace $d cpu-ms/trace)" \
    "$(metric BenchmarkTraceFund/Count $d ms/count)"
  printf '| household statement with paths back to the fund, %s payments, %s | p50 %s ms, p99 %s ms | the passbook'"'"'s payments by index: p50 %s ms, p99 %s ms | p99 < 50 ms |\n' \
    "${SUNSHINE_BENCH_FUND_PAYMENTS:-1000000}" "$d" "$(metric BenchmarkStatement/Statement $d p50-ms)" "$(metric BenchmarkStatement/Statement $d p99-ms)" \
    "$(metric BenchmarkStatement/Floor $d p50-ms)" "$(metric BenchmarkStatement/Floor $d p99-ms)"
done
# Direct payment (issue 6): the payments import beside reading + validating the same file.
for d in sqlite postgres; do
  printf '| import %s payments (CSV, to %s payees), %s | %s rows/s, %s× the baseline, peak %s MB RSS (Go heap %s MB) | read + validate the same file: %s rows/s | ≤ 3× |\n' \
    "${SUNSHINE_BENCH_PAYMENTS:-10000000}" "$(( ${SUNSHINE_BENCH_PAYMENTS:-10000000} / 10 > 1000000 ? 1000000 : ${SUNSHINE_BENCH_PAYMENTS:-10000000} / 10 ))" "$d" \
    "$(metric BenchmarkImportPayments/import $d rows/s)" "$(metric BenchmarkImportPayments/import $d x-parse)" \
    "$(metric BenchmarkImportPayments/import $d peak-rss-MB)" "$(metric BenchmarkImportPayments/import $d peak-heap-MB)" "$(metric BenchmarkImportPayments/parse $d rows/s)"
done
# Oversight (issue 7): the early-warning engine over the ledger and the registry, and one new payment incrementally.
for d in sqlite postgres; do
  printf '| alert evaluation, funds checks, %s payments to %s members, %s | %s (%s findings), peak %s MB RSS (Go heap %s MB), payments read by one query: %s; every category'"'"'s evaluator: %s, peak %s MB RSS | SELECT of the same rows, no work: %s, peak %s MB RSS | < 60 s, < 2 GB |\n' \
    "$(metric BenchmarkEvaluate/Funds $d payments)" "${SUNSHINE_BENCH_EVAL_MEMBERS:-1000000}" "$d" "$(nsop BenchmarkEvaluate/Funds $d)" \
    "$(metric BenchmarkEvaluate/Funds $d findings)" "$(metric BenchmarkEvaluate/Funds $d peak-rss-MB)" "$(metric BenchmarkEvaluate/Funds $d peak-heap-MB)" \
    "$(nsop BenchmarkEvaluate/FundsSerial $d)" "$(nsop BenchmarkEvaluate/All $d)" "$(metric BenchmarkEvaluate/All $d peak-rss-MB)" \
    "$(nsop BenchmarkEvaluate/Scan $d)" "$(metric BenchmarkEvaluate/Scan $d peak-rss-MB)"
  printf '| incremental evaluation of one new payment on the same ledger, %s | checks %s ms (p99 %s ms); whole run (record, rule set, alerts, audit) %s ms (p99 %s ms) | - | < 5 ms |\n' \
    "$d" "$(metric BenchmarkEvaluate/Incremental $d collect-ms)" "$(metric BenchmarkEvaluate/Incremental $d collect-p99-ms)" \
    "$(metric BenchmarkEvaluate/Incremental $d run-ms)" "$(metric BenchmarkEvaluate/Incremental $d run-p99-ms)"
done
# Projects and assets (issue 8): the Kanban board and the asset register at city scale.
for d in sqlite postgres; do
  printf '| project board at %s projects (Kanban, 11 columns with counts and first cards), %s | city: p99 %s ms, mean %s ms (CPU %s ms); one county: p99 %s ms, mean %s ms; project list page (county + stage): p99 %s ms | one project page by id: p99 %s ms, mean %s ms; SELECT 1: p99 %s ms | p99 < 100 ms |\n' \
    "$(metric BenchmarkBoard/City $d projects)" "$d" "$(metric BenchmarkBoard/City $d p99-ms)" "$(metric BenchmarkBoard/City $d mean-ms)" "$(metric BenchmarkBoard/City $d cpu-ms)" \
    "$(metric BenchmarkBoard/County $d p99-ms)" "$(metric BenchmarkBoard/County $d mean-ms)" "$(metric BenchmarkProjectList $d p99-ms)" \
    "$(metric BenchmarkProjectGet $d p99-ms)" "$(metric BenchmarkProjectGet $d mean-ms)" "$(metric BenchmarkSelect1 $d p99-ms)"
  printf '| asset register at %s assets (summary by kind and status + map points per village, city), %s | p99 %s ms, mean %s ms (CPU %s ms); asset list page (county + status): p99 %s ms, mean %s ms | one project page by id: p99 %s ms; SELECT 1: p99 %s ms | p99 < 100 ms |\n' \
    "$(metric BenchmarkAssetRegister $d assets)" "$d" "$(metric BenchmarkAssetRegister $d p99-ms)" "$(metric BenchmarkAssetRegister $d mean-ms)" "$(metric BenchmarkAssetRegister $d cpu-ms)" \
    "$(metric BenchmarkAssetList $d p99-ms)" "$(metric BenchmarkAssetList $d mean-ms)" "$(metric BenchmarkProjectGet $d p99-ms)" "$(metric BenchmarkSelect1 $d p99-ms)"
done
# Public portal (issue 9): the village page and the own-household query on the city demo, 32
# loopback clients, generator in the same process (its CPU counts in cpu-us/req); quiet, with the
# console in use (four office users listing households every 100 ms, one editing a household every
# 200 ms) and with the same five flat out; the bare static file served by the same binary in the
# same run, under the same console load, is the baseline.
pu=BenchmarkPublicUnderConsole
for mode in console console-flat-out; do
  for page in village-page household-query; do
    printf '| public %s, city demo, SQLite, %s (%s console req/s meanwhile) | %s req/s, p99 %s ms, %s µs CPU a request%s; quiet: %s req/s, p99 %s ms | static file, same console load: %s req/s, p99 %s ms; quiet: %s req/s, p99 %s ms | ≥ 2,000 req/s, p99 < 50 ms |\n' \
      "$page" "$mode" "$(metric $pu/$mode/$page sqlite console-req/s)" "$(metric $pu/$mode/$page sqlite req/s)" "$(metric $pu/$mode/$page sqlite p99-ms)" \
      "$(metric $pu/$mode/$page sqlite cpu-us/req)" \
      "$([ $page = household-query ] && printf ', %s queries a write transaction' "$(metric $pu/$mode/$page sqlite queries/commit)")" \
      "$(metric $pu/quiet/$page sqlite req/s)" "$(metric $pu/quiet/$page sqlite p99-ms)" \
      "$(metric $pu/$mode/static-file sqlite req/s)" "$(metric $pu/$mode/static-file sqlite p99-ms)" \
      "$(metric $pu/quiet/static-file sqlite req/s)" "$(metric $pu/quiet/static-file sqlite p99-ms)"
  done
done
