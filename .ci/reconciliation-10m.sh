#!/bin/bash
# The reconciliation against its floor on a month of 10M rows, as the README's figures of 2026-11-30 were taken.
# Usage: DB=r10m .ci/reconciliation-10m.sh <jar> [<jar> ...]   (a PostgreSQL server database; the first run of a
# jar on an empty database generates the ledger: add GENERATE=1 then). Each jar runs once, in the order given;
# the day runs an earlier process published are deleted first, so every month is read cold. MEASURE replaces
# what is measured beside the month (default: the day 2020-01-15; MEASURE=--month-from-days: the month from its days).
set -euo pipefail
db=${DB:?a database on the server, e.g. DB=r10m}
for jar in "$@"; do
  psql -X -q -h 127.0.0.1 -U postgres "$db" -c "DELETE FROM published_runs WHERE job_name = 'reconciliation' AND period ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'" 2>/dev/null || true
  echo "== $jar $(date +%T) $(uptime | sed 's/.*load/load/')"
  generate=--skip-generate
  if [[ -n "${GENERATE:-}" ]]; then
    generate=""
  fi
  SPRING_DATASOURCE_URL=jdbc:postgresql://127.0.0.1:5432/$db SPRING_DATASOURCE_USERNAME=postgres BILLING_QUICK_START=false \
    java -Xmx512m -jar "$jar" benchmark $generate --rows=10000000 --accounts=20000 --jobs=reconciliation \
    ${MEASURE:---day=2020-01-15} --billing.reports.root="$(mktemp -d)" 2>&1 | grep -v INFO | grep -E "floor|job|steps|ratio|day"
done
