#!/usr/bin/env bash
# The test suite's wall and CPU time from clean clones, two commits alternated (README, "Tests"):
#   bash .ci/test-speed.sh <before> <after> [pairs]
# e.g. bash .ci/test-speed.sh 547c34b HEAD 2. Each run is `CI=true bash .ci/run` (the README's
# `./mvnw -B -ntp verify`) in a fresh clone under /tmp of this repository at that commit, with a
# warm ~/.m2; it prints Maven's "Total time", the wall and CPU (user + system, of Maven, its test
# JVMs and the worker processes they wait for; not the embedded PostgreSQL servers, which pg_ctl
# detaches), the load average before and after, and how busy the machine's cores were meanwhile
# (all processes, this run's and others'). Clones and logs stay in /tmp/test-speed-<n>-<label>-<commit>.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(git rev-parse --short "${1:?before commit}")
after=$(git rev-parse --short "${2:?after commit}")
pairs=${3:-1}
repo=$(pwd)

busy_ticks() { # jiffies the cores spent on anything but idle and I/O wait since boot
    awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

run() { # commit label index
    local dir="/tmp/test-speed-$3-$2-$1"
    rm -rf "$dir"
    git clone -q "$repo" "$dir"
    git -C "$dir" checkout -q "$1"
    local load busy
    load=$(cut -d' ' -f1 /proc/loadavg)
    busy=$(busy_ticks)
    (cd "$dir" && /usr/bin/time -f '%e %U %S' -o "$dir.time" env CI=true bash .ci/run >"$dir.log" 2>&1) || {
        echo "$2 $1: FAILED (see $dir.log)"
        return
    }
    busy=$(( $(busy_ticks) - busy ))
    read -r wall user system <"$dir.time"
    printf '%-6s %s  Maven %s  wall %6.1f s  CPU %5.1f s  tests %s  load %s -> %s  cores busy %3.0f %%\n' "$2" "$1" \
        "$(grep -o 'Total time: *[0-9:.]* [a-z]*' "$dir.log" | sed 's/Total time: *//')" "$wall" \
        "$(echo "$user + $system" | bc)" "$(grep -E '^\[INFO\] Tests run: [0-9]+, ' "$dir.log" | tail -1 | sed -E 's/.*Tests run: ([0-9]+).*/\1/')" \
        "$load" "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$busy / $(getconf CLK_TCK) / $(nproc) / $wall * 100" | bc -l)"
}

for i in $(seq 1 "$pairs"); do
    run "$before" before "$i"
    run "$after" after "$i"
done
