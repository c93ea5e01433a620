#!/usr/bin/env bash
# Benchmark of `scan` over large real trees, side by side in one run with `grep -c` over the same
# tree (reading every byte once: the floor a scan is held to). Trees: a JDK's directory, and a jar
# holding many native libraries (the JDK's own .so files, several copies each, deflated as jar
# tools do). Wall time of the whole command, as a build pipeline sees it (JVM start included),
# median of RUNS runs after one warm-up run each (page cache warm).
# Build first: mvn -B -q package -DskipTests (from the repository root).
# usage: benchmarks/scan-bench.sh [RUNS] [JDK_DIR]      (default 7 runs, the default JDK 17)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
tree=${2:-/usr/lib/jvm/java-17-openjdk-amd64}
java=${JAVA:-java}
agent=agent/target/profguard-agent.jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A jar with many native libraries: every .so of the JDK, 8 copies under platform-like paths.
mkdir -p "$work/jar"
n=0
for copy in linux-x86_64 linux-aarch64 linux-arm linux-ppc64le linux-s390x linux-riscv64 musl-x86_64 musl-aarch64; do
  mkdir -p "$work/jar/native/$copy"
  for so in $(find -L "$tree" -name '*.so' -type f); do
    cp "$so" "$work/jar/native/$copy/$(basename "$so")"
    n=$((n + 1))
  done
done
(cd "$work/jar" && "$(dirname "$(readlink -f "$(command -v $java)")")/jar" cf "$work/natives.jar" native)

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
seconds() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1 || true; end=$(date +%s%N); echo "scale=4; ($end-$start)/1000000000" | bc; }
measure() { # label, files, bytes, command...
  local label=$1 files=$2 bytes=$3; shift 3
  "$@" >/dev/null 2>&1 || true
  local t
  t=$(for _ in $(seq "$runs"); do seconds "$@"; done | median)
  printf '| %s | `%s` | %.3f | %.0f | %.0f |\n' "$label" "$(echo "$*" | sed "s,$work,WORK,g; s,|,\\\\|,g")" "$t" "$(echo "$files / $t" | bc -l)" \
      "$(echo "$bytes / 1048576 / $t" | bc -l)"
  echo "$t" > "$work/last"
}

jdk_files=$(find -L "$tree" -type f 2>/dev/null | wc -l)
jdk_bytes=$(find -L "$tree" -type f -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {print s}')
jar_bytes=$(stat -c %s "$work/natives.jar")
jar_raw=$(du -sb "$work/jar" | cut -f1)
echo "tree: $tree ($jdk_files files through links, $((jdk_bytes >> 20)) MiB); jar: $n libraries, $((jar_raw >> 20)) MiB inflated, $((jar_bytes >> 20)) MiB deflated"
echo "runs: $runs (median), $(nproc) cores, $("$java" -version 2>&1 | head -1)"
echo
echo "| tree | command | seconds | files/s | MB/s |"
echo "| --- | --- | --- | --- | --- |"
measure "JDK dir" "$jdk_files" "$jdk_bytes" grep -Rc mtuner_capture_ "$tree"; floor=$(cat "$work/last")
measure "JDK dir" "$jdk_files" "$jdk_bytes" "$java" -jar "$agent" scan "$tree"; scan=$(cat "$work/last")
echo "| JDK dir | scan / grep | $(echo "scale=2; $scan / $floor" | bc)x | | |"
# grep reads the jar's deflated bytes once; scan inflates every library and reads its symbols.
measure "natives.jar" "$n" "$jar_raw" grep -c mtuner_capture_ "$work/natives.jar"
# The honest floor for a jar: inflate every member once and read every byte of it.
measure "natives.jar" "$n" "$jar_raw" sh -c "unzip -p '$work/natives.jar' | grep -c mtuner_capture_"; floor=$(cat "$work/last")
measure "natives.jar" "$n" "$jar_raw" "$java" -jar "$agent" scan "$work/natives.jar"; scan=$(cat "$work/last")
echo "| natives.jar | scan / grep | $(echo "scale=2; $scan / $floor" | bc)x | | |"
# The same libraries unpacked: grep reads every byte of them, scan every library.
measure "natives dir" "$n" "$jar_raw" grep -Rc mtuner_capture_ "$work/jar"; floor=$(cat "$work/last")
measure "natives dir" "$n" "$jar_raw" "$java" -jar "$agent" scan "$work/jar"; scan=$(cat "$work/last")
echo "| natives dir | scan / grep | $(echo "scale=2; $scan / $floor" | bc)x | | |"
# The scan alone, in one warm JVM (start-up and JIT paid): ScanBenchmark.
cp="$(cat benchmarks/target/classpath.txt):benchmarks/target/classes"
for target in "$tree" "$work/natives.jar" "$work/jar"; do
  set -- $("$java" -cp "$cp" dev.profguard.bench.ScanBenchmark "$runs" "$target")
  case $target in "$tree") files=$jdk_files bytes=$jdk_bytes ;; *) files=$n bytes=$jar_raw ;; esac
  printf '| %s | ScanBenchmark (in one warm JVM) | %.3f | %.0f | %.0f |\n' "$(basename "$target")" "$1" \
      "$(echo "$files / $1" | bc -l)" "$(echo "$bytes / 1048576 / $1" | bc -l)"
done
