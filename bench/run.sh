#!/usr/bin/env bash
# Benchmark all peers on one corpus size and append to results.csv; then run the cross-checks.
#
#   ./run.sh [N_FEATURES] [SCENARIOS_PER_FEATURE]        (default 100 20)
#
# env: REPS=5              runs per peer/mode (reps are the outer loop)
#      MODES=full,dry,collect   full = execute; dry = --dry-run (cucumber-js, behave);
#                           collect = pytest --collect-only (pytest-bdd has no dry-run)
#      PEERS=casebook,casebook-c1,cucumber-rs,cucumber-rs-c1,cucumber-js,cucumber-js-p2,behave,pytest-bdd
#                          casebook = `casebook run` (full; dry = --dry-run), casebook-c1 = --concurrency 1
#      CASEBOOK_EXTRA=casebook-base=/path/to/casebook[,name=path]   more casebook peers, each running
#                          that binary like the peer casebook (list the names in PEERS too)
#      CHECKS=1            also run the checks into checks.csv: undefined steps (5%), nginx stopped,
#                          doc strings opened with """json
#      CHECK_N=20          feature count of the corpora used by the checks
#      QUIET_WAIT=90       max seconds to wait before each run for other load to go away (shared box)
#      BENCH_PORT=18080
set -euo pipefail
D="$(cd "$(dirname "$0")" && pwd)"
cd "$D"
N="${1:-100}"; M="${2:-20}"
REPS="${REPS:-5}"; MODES="${MODES:-full,dry,collect}"
PEERS="${PEERS:-casebook,casebook-c1,cucumber-rs,cucumber-rs-c1,cucumber-js,cucumber-js-p2,behave,pytest-bdd}"
CHECKS="${CHECKS:-1}"; CHECK_N="${CHECK_N:-20}"
export BENCH_PORT="${BENCH_PORT:-18080}"

{ [ -x peers/cucumber-rs/specs.bin ] && [ -x peers/casebook/casebook.bin ]; } || ./setup.sh
[ -d www/items ] || python3 gen.py -n 1 -m 1 -o corpus/_www_only >/dev/null
[ -f "corpus/${N}x${M}/manifest.json" ] || python3 gen.py -n "$N" -m "$M" --no-www >/dev/null

STARTED=0
if ! curl -fsS "http://127.0.0.1:$BENCH_PORT/health" >/dev/null 2>&1; then ./nginx/start_nginx.sh; STARTED=1; fi
trap '[ "$STARTED" = 1 ] && ./nginx/stop_nginx.sh || true' EXIT

echo "== ${N}x${M}: $REPS reps, modes $MODES"
python3 bench.py --corpus "corpus/${N}x${M}" --reps "$REPS" --modes "$MODES" --peers "$PEERS" --out results.csv

if [ "$CHECKS" = 1 ]; then
  echo "== check 1: undefined steps (5% of check steps undefined), ${CHECK_N}x${M}"
  [ -f "corpus/${CHECK_N}x${M}_u0.05/manifest.json" ] || python3 gen.py -n "$CHECK_N" -m "$M" --undefined-fraction 0.05 --no-www >/dev/null
  BENCH_KEEP_REPORTS=logs/reports python3 bench.py --corpus "corpus/${CHECK_N}x${M}_u0.05" --reps 1 --modes full,dry,missing --peers "$PEERS" \
      --out checks.csv --condition undefined-5pct --quiet-wait 0
  echo "== check 2: nginx stopped, ${CHECK_N}x${M}"
  [ -f "corpus/${CHECK_N}x${M}/manifest.json" ] || python3 gen.py -n "$CHECK_N" -m "$M" --no-www >/dev/null
  BENCH_KEEP_REPORTS=logs/reports python3 bench.py --corpus "corpus/${CHECK_N}x${M}" --reps 1 --modes full --peers "$PEERS" \
      --out checks.csv --condition nginx-up --quiet-wait 0
  ./nginx/stop_nginx.sh
  BENCH_KEEP_REPORTS=logs/reports python3 bench.py --corpus "corpus/${CHECK_N}x${M}" --reps 1 --modes full --peers "$PEERS" \
      --out checks.csv --condition nginx-stopped --quiet-wait 0
  ./nginx/start_nginx.sh
  echo "== check 3: doc strings opened with \"\"\"json (media type), ${CHECK_N}x${M}"
  [ -f "corpus/${CHECK_N}x${M}_mt/manifest.json" ] || python3 gen.py -n "$CHECK_N" -m "$M" --docstring-media-type -o "corpus/${CHECK_N}x${M}_mt" --no-www >/dev/null
  BENCH_KEEP_REPORTS=logs/reports python3 bench.py --corpus "corpus/${CHECK_N}x${M}_mt" --reps 1 --modes full --peers "$PEERS" \
      --out checks.csv --condition docstring-media-type --quiet-wait 0
fi
python3 summarize.py
