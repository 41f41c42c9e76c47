#!/usr/bin/env bash
# Wall and CPU time of short commands (README, "Start-up of the command line"). Run from the project directory
# (the embedded PostgreSQL of .data/ is used) after one `cost-report` of the month has completed:
#   .ci/cli-startup.sh [runs] [java options ...] -- [jar]
# e.g. .ci/cli-startup.sh 3 -XX:SharedArchiveFile=target/app/application.jsa -- target/app/billing-batch.jar
set -u
runs=${1:-3}; shift || true
options=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do options+=("$1"); shift; done
[ $# -gt 0 ] && shift
jar=${1:-target/billing-batch.jar}
period=${PERIOD:-$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)}
for command in "help" "cost-report --period=$period" "create-token --name=startup-measure --role=admin"; do
  for i in $(seq "$runs"); do
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    /usr/bin/time -f "%e %U %S %x" -o /tmp/cli-startup.$$ java "${options[@]}" -jar "$jar" $command \
        --billing.reports.root="${REPORTS:-reports}" >/dev/null 2>&1
    read -r wall user sys exit < <(grep -v "^Command" /tmp/cli-startup.$$)
    printf '%-45s run %d: %6.2f s wall %6.2f s user %5.2f s sys  exit %s  (load %s)\n' "$command" "$i" "$wall" "$user" "$sys" "$exit" "$load"
  done
done
rm -f /tmp/cli-startup.$$
