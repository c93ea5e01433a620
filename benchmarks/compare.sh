#!/usr/bin/env bash
# Side by side: hello world started with one agent jar, then the other, alternating, RUNS times
# each, on JDK 17 and JDK 25, in a clean production start (env=production, attach closed).
# Prints the median wall time of each and their ratio. Build first (mvn -B -q package -DskipTests).
# usage: benchmarks/compare.sh OLD_JAR NEW_JAR [RUNS]     (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: compare.sh OLD_JAR NEW_JAR [RUNS]}
new=${2:?usage: compare.sh OLD_JAR NEW_JAR [RUNS]}
runs=${3:-30}
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for jdk in "$jdk17" "$jdk25"; do
  : > "$work/old" && : > "$work/new"
  for ((i = 0; i < runs; i++)); do
    for variant in old new; do
      jar=$([ "$variant" = old ] && echo "$old" || echo "$new")
      start=$(date +%s%N)
      (cd "$work" && "$jdk/bin/java" "-javaagent:$jar=env=production" -XX:+DisableAttachMechanism \
          -cp "$OLDPWD/benchmarks/target/classes" dev.profguard.bench.Hello > /dev/null)
      echo $(( ($(date +%s%N) - start) / 1000 )) >> "$work/$variant"
    done
  done
  o=$(median < "$work/old"); n=$(median < "$work/new")
  echo "$(basename "$jdk"): old ${o} us, new ${n} us, new/old $(awk -v a="$n" -v b="$o" 'BEGIN {printf "%.3f", a / b}') (median of $runs alternating runs each)"
done
