#!/usr/bin/env bash
# The cost report's job time of two jars, alternated run by run on one ledger (README, "Benchmark: workbooks and
# statements"). SPRING_DATASOURCE_URL / SPRING_DATASOURCE_USERNAME name a database that holds the ledger, made once with
#   java -Xmx512m -jar target/billing-batch.jar benchmark --rows=1000000 --accounts=20000 --jobs=cost-report
# then:
#   .ci/cost-report-pairs.sh BEFORE_JAR AFTER_JAR [pairs, default 3]
# Each run is `benchmark --skip-generate --jobs=cost-report` (best of two timed runs after one warm-up); per pair it
# prints both jars' job, steps, floor and peak heap, the ratio after / before and the load average.
set -u
before=$1; after=$2; pairs=${3:-3}
reports=$(mktemp -d)
run() { # jar -> "job agg publish files floor heap"
  java -Xmx512m -jar "$1" benchmark --skip-generate --jobs=cost-report --billing.reports.root="$reports" 2>&1 | awk '
    /cost-report .* floor \(COPY/ { for (i = 1; i <= NF; i++) if ($i == "s" && !floor) floor = $(i - 1) }
    /cost-report .* job: /         { for (i = 1; i <= NF; i++) if ($i == "s" && !job) job = $(i - 1) }
    /steps, best run:/             { agg = $7; pub = $10; files = $13 }
    /peak heap/                    { for (i = 1; i <= NF; i++) if ($i == "heap") heap = $(i + 1) }
    END { gsub(/,/, "", agg); gsub(/,/, "", pub); print job, agg, pub, files, floor, heap }'
}
printf '%-4s %-6s %6s %6s %6s %6s %6s %5s  %s\n' pair jar job agg pub files floor heap load
for p in $(seq "$pairs"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg); read -r bj ba bp bf bfl bh < <(run "$before")
  printf '%-4s %-6s %6s %6s %6s %6s %6s %5s  %s\n' "$p" before "$bj" "$ba" "$bp" "$bf" "$bfl" "$bh" "$load"
  load=$(cut -d' ' -f1-3 /proc/loadavg); read -r aj aa ap af afl ah < <(run "$after")
  printf '%-4s %-6s %6s %6s %6s %6s %6s %5s  %s\n' "$p" after "$aj" "$aa" "$ap" "$af" "$afl" "$ah" "$load"
  awk -v a="$aj" -v b="$bj" -v p="$p" 'BEGIN { printf "%-4s ratio after / before: %.3f\n", p, a / b }'
done
rm -rf "$reports"
