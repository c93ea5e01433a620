#!/usr/bin/env bash
# Side by side: two agent jars (e.g. the previous commit's and this one's) and the no-op agent, in a
# clean production start (env=production, -XX:+DisableAttachMechanism), alternating, RUNS rounds,
# on hello world and the generated large app (1,618 classes), on JDK 17 and JDK 25. Prints each
# variant's median wall time, min-max and peak RSS, then new/old (ratio of medians, its 95%
# bootstrap interval, and the median of the per-round ratios) and each jar against the no-op agent.
# For "has not grown" claims. Build first (mvn -B -ntp -q package -DskipTests), from the repository root.
# usage: benchmarks/compare.sh OLD_JAR NEW_JAR [RUNS]     (default 30; ~5 s a round on a quiet machine)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(readlink -f "${1:?usage: compare.sh OLD_JAR NEW_JAR [RUNS]}")
new=$(readlink -f "${2:?usage: compare.sh OLD_JAR NEW_JAR [RUNS]}")
runs=${3:-30}
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
target=benchmarks/target
[ -f "$target/classpath.txt" ] || { echo "compare.sh: build first: mvn -B -ntp -q package -DskipTests" >&2; exit 1; }
[ -x /usr/bin/time ] || echo "compare.sh: no /usr/bin/time, so no peak RSS (apt-get install -y time)" >&2
cp="$(cat "$target/classpath.txt"):$target/classes"
"$jdk17/bin/java" -cp "$cp" dev.profguard.bench.LargeAppGenerator "$target/large-app" "${LARGE_APP_CLASSES:-1600}"
"$jdk17/bin/java" -cp "$cp" dev.profguard.bench.StartupBenchmark --runs "$runs" --compare "$old" --agent "$new" \
    --large-app "$target/large-app/large-app.jar" --raw "$target/compare-raw-$(date -u +%Y%m%dT%H%M%SZ).csv" "$jdk17" "$jdk25"
