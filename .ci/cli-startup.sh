#!/usr/bin/env bash
# Wall and CPU time of short commands (README, "Start-up of the command line"). Run from the project directory
# (the embedded PostgreSQL of .data/ is used, or SPRING_DATASOURCE_URL's server) after one `cost-report` of the
# month has completed:
#   .ci/cli-startup.sh [runs] [java options ...] -- [jar]
# e.g. .ci/cli-startup.sh 3                       # java -jar target/billing-batch.jar: the way users run it
#      WAYS="quick in-process" .ci/cli-startup.sh 3   # the same, alternated run by run with BILLING_QUICK_START=false
#      .ci/cli-startup.sh 3 -XX:SharedArchiveFile=target/billing-batch.cds/application.jsa -XX:TieredStopAtLevel=1 \
#          -- target/billing-batch.cds/billing-batch.jar   # the quick JVM alone, started by hand
# WAYS names one or more ways, alternated within each run: quick (the default: the jar starts its quick JVM for a
# short command) and in-process (BILLING_QUICK_START=false: everything in the JVM of `java -jar`, as before).
set -u
runs=${1:-3}; shift || true
options=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
[ $# -gt 0 ] && shift
jar=${1:-target/billing-batch.jar}
period=${PERIOD:-$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)}
# The first quick command after a build extracts the jar and trains the class data sharing archive (once per build):
# timed on its own line, not among the runs. FRESH=1 removes the extracted form first, so that this line measures it.
if [ "${FRESH:-0}" = 1 ]; then rm -rf "${jar%.jar}.cds"; fi
load=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/time -f "%e %U %S %x" -o /tmp/cli-startup.$$ java "${options[@]}" -jar "$jar" cost-report --period="$period" \
    --billing.reports.root="${REPORTS:-reports}" >/dev/null 2>&1
read -r wall user sys exit < <(grep -v "^Command" /tmp/cli-startup.$$)
printf '%-41s first: %6.2f s wall %6.2f s user %5.2f s sys  exit %s  (load %s)\n' "cost-report --period=$period" "$wall" "$user" \
    "$sys" "$exit" "$load"
# "" is the main job (no command): exit 0 with last month's totals once last month (by the clock) is reported
for command in "help" "cost-report --period=$period" "create-token --name=startup-measure --role=admin" ""; do
  for i in $(seq "$runs"); do
    for way in ${WAYS:-quick}; do
      switch=true; [ "$way" = "in-process" ] && switch=false
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      BILLING_QUICK_START=$switch /usr/bin/time -f "%e %U %S %x" -o /tmp/cli-startup.$$ java "${options[@]}" -jar "$jar" \
          $command --billing.reports.root="${REPORTS:-reports}" >/dev/null 2>&1
      read -r wall user sys exit < <(grep -v "^Command" /tmp/cli-startup.$$)
      label=${command%% --name*}; label=${label:-(main job)}
      printf '%-30s %-10s run %d: %6.2f s wall %6.2f s user %5.2f s sys  exit %s  (load %s)\n' "$label" "$way" \
          "$i" "$wall" "$user" "$sys" "$exit" "$load"
      expected=0; [ "${command%% *}" = cost-report ] && expected=2
      if [ "$exit" != "$expected" ]; then echo "  UNEXPECTED exit $exit (expected $expected): the figure above is not the command's"; failed=1; fi
    done
  done
done
rm -f /tmp/cli-startup.$$
exit "${failed:-0}"
