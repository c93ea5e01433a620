#!/usr/bin/env bash
# Runs the benchmarks for real (minutes, not seconds): JMH for each check on each JDK, then the
# start-up benchmark. Build first: mvn -B -q package -DskipTests (from the repository root).
# usage: benchmarks/run.sh [RUNS]     (start-up runs per variant, default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-40}
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cp="$(cat benchmarks/target/classpath.txt):benchmarks/target/classes"
for jdk in "$jdk17" "$jdk25"; do
  echo "== JMH on $jdk"
  "$jdk/bin/java" -cp "$cp" org.openjdk.jmh.Main ChecksBenchmark -jvm "$jdk/bin/java" -rf text \
      -rff "benchmarks/target/jmh-$(basename "$jdk").txt" > "benchmarks/target/jmh-$(basename "$jdk").log"
  tail -n 14 "benchmarks/target/jmh-$(basename "$jdk").txt"
done
echo "== start-up, $runs runs per variant"
java -cp "$cp" dev.profguard.bench.StartupBenchmark --runs "$runs" --agent agent/target/profguard-agent.jar "$jdk17" "$jdk25"
