#!/usr/bin/env bash
# The cost report's job time of two jars, alternated run by run on one ledger (README, "Benchmark: workbooks and
# statements"). SPRING_DATASOURCE_URL / SPRING_DATASOURCE_USERNAME name a database that holds the ledger, made once with
#   java -Xmx512m -jar target/billing-batch.jar benchmark --rows=1000000 --accounts=20000 --jobs=cost-report
# then:
#   .ci/cost-report-pairs.sh BEFORE_JAR AFTER_JAR [pairs, default 3]
# Each run is `benchmark --skip-generate --jobs=cost-report` (best of two timed runs after one warm-up); per pair it
# prints both jars' job, steps, floor and peak heap (seconds, MiB), the ratio after / before and the load average, and
# the CPU seconds of the whole benchmark command (the same start-up, floor and three job runs for both jars): the JVM's
# and, with PG_PID=<pid of the PostgreSQL server's postmaster> on this machine, its server processes' that ended meanwhile
# (the parallel workers and the command's connections; another client's ending connections would count too).
set -u
before=$1; after=$2; pairs=${3:-3}
reports=$(mktemp -d)
pgcpu() { [ -n "${PG_PID:-}" ] && awk -v hz="$(getconf CLK_TCK)" '{ print ($16 + $17) / hz }' /proc/"$PG_PID"/stat || echo 0; }
run() { # jar -> "job agg publish files floor heap jvm-cpu pg-cpu"
  local pg0; pg0=$(pgcpu)
  /usr/bin/time -f "%U %S" -o "$reports/time" \
    java -Xmx512m -jar "$1" benchmark --skip-generate --jobs=cost-report --billing.reports.root="$reports" > "$reports/out" 2>&1
  sleep 0.5 # the server reaps the command's backends
  local jvm pg; jvm=$(awk '{ print $1 + $2 }' "$reports/time"); pg=$(awk -v a="$pg0" -v b="$(pgcpu)" 'BEGIN { print b - a }')
  awk -v jvm="$jvm" -v pg="$pg" '
    /cost-report .* floor \(COPY/ { for (i = 1; i <= NF; i++) if ($i == "s" && !floor) floor = $(i - 1) }
    /cost-report .* job: /         { for (i = 1; i <= NF; i++) if ($i == "s" && !job) job = $(i - 1) }
    /steps, best run:/             { agg = $7; pub = $10; files = $13 }
    /peak heap/                    { for (i = 1; i <= NF; i++) if ($i == "heap") heap = $(i + 1) }
    END { gsub(/,/, "", agg); gsub(/,/, "", pub); print job, agg, pub, files, floor, heap, jvm, pg }' "$reports/out"
}
printf '%-4s %-6s %6s %6s %6s %6s %6s %5s %7s %6s  %s\n' pair jar job agg pub files floor heap jvm-cpu pg-cpu load
for p in $(seq "$pairs"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg); read -r bj ba bp bf bfl bh bc bpg < <(run "$before")
  printf '%-4s %-6s %6s %6s %6s %6s %6s %5s %7s %6s  %s\n' "$p" before "$bj" "$ba" "$bp" "$bf" "$bfl" "$bh" "$bc" "$bpg" "$load"
  load=$(cut -d' ' -f1-3 /proc/loadavg); read -r aj aa ap af afl ah ac apg < <(run "$after")
  printf '%-4s %-6s %6s %6s %6s %6s %6s %5s %7s %6s  %s\n' "$p" after "$aj" "$aa" "$ap" "$af" "$afl" "$ah" "$ac" "$apg" "$load"
  awk -v a="$aj" -v b="$bj" -v p="$p" 'BEGIN { printf "%-4s ratio after / before: %.3f\n", p, a / b }'
done
rm -rf "$reports"
