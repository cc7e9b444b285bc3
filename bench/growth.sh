#!/usr/bin/env bash
# The growth curve of docs/scaling.md: every scale benchmark at 10^5, 10^6 and
# 10^7 events on SQLite and PostgreSQL, one after the other (nothing else
# should run meanwhile); stock.py and impact.py also print the lines of one
# territory (the synthetic network's 12 territories). The first run generates the databases (10^7: several
# minutes each) and keeps them in $BENCH_DIR (default /tmp/bouteilles-bench).
#   bash bench/growth.sh [sizes…]        e.g. bash bench/growth.sh 100000 1000000
# The scan benchmark deletes what it added when it ends (bench/scans.py,
# forget_run); pass FRESH=1 to regenerate the 10^5 databases first anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
sizes=("${@:-100000 1000000 10000000}")
read -r -a sizes <<<"${sizes[*]}"
if [ "${FRESH:-0}" = 1 ]; then
  rm -f "${BENCH_DIR:-/tmp/bouteilles-bench}"/*-bench_100000.done
fi
echo "== $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for db in sqlite postgres; do
  $py bench/batch_close.py --db "$db" | grep RESULT
done
for n in "${sizes[@]}"; do
  for db in sqlite postgres; do
    $py bench/stock.py --events "$n" --db "$db" | grep RESULT
    $py bench/impact.py --events "$n" --db "$db" | grep RESULT
    BENCH_ROUNDS=${BENCH_ROUNDS:-5} $py bench/scans.py --events "$n" --db "$db" | grep RESULT
  done
done
echo "== $(date -u +%FT%TZ) done, load $(cut -d' ' -f1-3 /proc/loadavg)"
