#!/usr/bin/env bash
# The window of a client loaded behind the gate's back (issue #11): a native thread dlopen()s the
# stand-in client once main runs and calls its rmemAlloc steadily (400 records every 20 ms);
# the watcher, at the default watch.interval, switches it off. Reports, over RUNS runs per JDK,
# the median and worst time from the load to the switch-off and the capture bytes the client
# wrote before it (kept for the count: capture.files=keep). Build first (mvn -B -q package -DskipTests).
# usage: benchmarks/late-window.sh [RUNS] [INTERVAL]     (defaults 15 and the option's default)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
interval=${2:-}
watch=${interval:+,watch.interval=$interval}
root=$(pwd)
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
fixtures=$root/it-tests/target/fixtures
[ -f "$fixtures/liblate-dlopen.so" ] || bash it-tests/src/test/c/build.sh "$fixtures" > /dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for jdk in "$jdk17" "$jdk25"; do
  : > "$work/ms" && : > "$work/bytes"
  for ((i = 0; i < runs; i++)); do
    run=$work/$(basename "$jdk")-$i && mkdir -p "$run"
    (cd "$run" && LD_PRELOAD="$fixtures/liblate-dlopen.so" LATE_DLOPEN="$fixtures/libcompress-helper.so" \
        LATE_DLOPEN_TRIGGER="$run/main-started" LATE_RECORD=1 \
        "$jdk/bin/java" "-javaagent:$root/agent/target/profguard-agent.jar=env=production$watch,capture.files=keep,log.format=json" \
        -XX:+DisableAttachMechanism -cp "$root/it-tests/target/test-classes" dev.profguard.it.app.PauseApp 3500 \
        > /dev/null 2> "$run/err") || true
    line=$(grep '"outcome":"neutralized_late"' "$run/err" | head -1 || true)
    [ -n "$line" ] || { echo "run $i: no switch-off line" >&2; cat "$run/err" >&2; continue; }
    noticed=$(date -d "$(sed 's/^{"time":"\([^"]*\)".*/\1/' <<< "$line")" +%s%3N)
    loaded=$(stat -c %.3Y "$run/main-started" | tr -d .)
    echo $((noticed - loaded)) >> "$work/ms"
    bytes=$(cat "$run"/*.MTuner 2>/dev/null | wc -c)
    echo "$bytes" >> "$work/bytes"
  done
  echo "$(basename "$jdk"), watch.interval=${interval:-default}: load to switch-off median $(median < "$work/ms") ms" \
       "(worst $(sort -n "$work/ms" | tail -1) ms); capture written before it median $(median < "$work/bytes") bytes" \
       "(worst $(sort -n "$work/bytes" | tail -1)); $(wc -l < "$work/ms") runs"
done
