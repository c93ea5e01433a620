#!/usr/bin/env bash
# Runs the benchmarks for real (minutes, not seconds), in three parts:
#   classes  what each variant loads before main (-Xlog:class+load), both JDKs, both programs  (~1 min)
#   startup  start-up, RUNS alternating rounds: hello world {none, no-op agent, profguard,
#            profguard +health +status} and the generated large app (1,618 classes) {none, no-op
#            agent, profguard, OpenTelemetry agent}, on JDK 17 and 25                     (~25 s a round)
#   jmh      JMH for each check, on each JDK                                                (~4-5 min)
# "profguard" is a clean production start with every default feature on (env=production only).
# Every variant runs with -XX:+DisableAttachMechanism. Build first, from the repository root:
#   mvn -B -ntp -q package -DskipTests
# usage: benchmarks/run.sh [RUNS] [PARTS]     (RUNS: start-up rounds, default 40;
#                                              PARTS: comma-separated, default classes,startup,jmh)
# Markdown tables go to stdout and to benchmarks/target/results-<UTC time>.md; raw data (CSV, class
# load logs, JMH output) to benchmarks/target/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-40}
parts=${2:-classes,startup,jmh}
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
otel_version=${OTEL_VERSION:-2.33.1}
large_classes=${LARGE_APP_CLASSES:-1600}
target=benchmarks/target
for jdk in "$jdk17" "$jdk25"; do
  [ -x "$jdk/bin/java" ] || { echo "run.sh: no JDK at $jdk (set JDK17_HOME / JDK25_HOME)" >&2; exit 1; }
done
[ -f agent/target/profguard-agent.jar ] && [ -f "$target/classpath.txt" ] && [ -d "$target/classes" ] || {
  echo "run.sh: build first, from the repository root: mvn -B -ntp -q package -DskipTests" >&2; exit 1; }
grep -q "$PWD/agent/target/profguard-agent-classes.jar" "$target/classpath.txt" || {
  echo "run.sh: $target/classpath.txt does not name this tree's agent/target/profguard-agent-classes.jar (a build with" >&2
  echo "        -pl benchmarks resolves a stale jar from ~/.m2): rebuild from the root with mvn -B -ntp -q package -DskipTests" >&2
  exit 1; }
if [ ! -x /usr/bin/time ]; then
  echo "run.sh: /usr/bin/time (GNU time) is missing: it measures each run's peak RSS (%M)." >&2
  echo "        Install it (Debian: apt-get install -y time), or run with NO_RSS=1 to go on without RSS." >&2
  [ "${NO_RSS:-0}" = 1 ] || exit 1
fi
cp="$(cat "$target/classpath.txt"):$target/classes"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$target/results-$stamp.md"
java=("$jdk17/bin/java")
part_start=0
begin() { part_start=$(date +%s); echo; echo "== $1 ($(date -u +%H:%M:%S) UTC)"; }
end() { echo "(${1}: $(( $(date +%s) - part_start )) s)" | tee -a "$results"; }
has() { [[ ",$parts," == *",$1,"* ]]; }
{
  echo "# benchmarks/run.sh $runs $parts, $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "agent: $(sha256sum agent/target/profguard-agent.jar | cut -c1-12), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
} > "$results"

if has classes || has startup; then
  begin "the large app: generate or reuse ($large_classes classes)"
  "${java[@]}" -cp "$cp" dev.profguard.bench.LargeAppGenerator "$target/large-app" "$large_classes"
  large="$target/large-app/large-app.jar"
  end "large app"
fi

otel_args=()
if has startup; then
  otel="$target/otel/opentelemetry-javaagent-$otel_version.jar"
  if [ ! -f "$otel" ]; then
    begin "OpenTelemetry Java agent $otel_version from Maven Central"
    mvn -B -ntp -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="io.opentelemetry.javaagent:opentelemetry-javaagent:$otel_version" -DoutputDirectory="$target/otel" \
      || echo "run.sh: could not fetch the OpenTelemetry agent: its variant is left out" >&2
  fi
  [ -f "$otel" ] && otel_args=(--otel "$otel")
fi

if has classes; then
  begin "classes loaded before main (one run each)"
  "${java[@]}" -cp "$cp" dev.profguard.bench.ClassLoadCount --agent agent/target/profguard-agent.jar --large-app "$large" \
      --logs "$target/class-load" "$jdk17" "$jdk25" | tee -a "$results"
  end "classes"
fi

if has startup; then
  begin "start-up, $runs alternating rounds on each JDK"
  "${java[@]}" -cp "$cp" dev.profguard.bench.StartupBenchmark --runs "$runs" --agent agent/target/profguard-agent.jar \
      --large-app "$large" "${otel_args[@]}" --raw "$target/startup-raw-$stamp.csv" "$jdk17" "$jdk25" | tee -a "$results"
  end "startup"
fi

if has jmh; then
  begin "JMH on each JDK"
  for jdk in "$jdk17" "$jdk25"; do
    echo "-- $jdk" | tee -a "$results"
    "$jdk/bin/java" -cp "$cp" org.openjdk.jmh.Main ChecksBenchmark -jvm "$jdk/bin/java" -rf text \
        -rff "$target/jmh-$(basename "$jdk").txt" > "$target/jmh-$(basename "$jdk").log"
    tail -n 14 "$target/jmh-$(basename "$jdk").txt" | tee -a "$results"
  done
  end "jmh"
fi
echo
echo "results: $results"
