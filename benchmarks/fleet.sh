#!/usr/bin/env bash
# The cost of `check --all`: starts N JVMs (every fifth guarded by the agent) in a PID namespace of
# their own (so the host's other processes do not count), then times
#   - one `check --all` run from start to end (a fresh JVM: start-up included), with /usr/bin/time;
#   - the rounds of `check --all --every 1s --textfile F`: the first one, and the repeated ones
#     that keep the judgements of JVMs where nothing changed (wall and CPU of each, as it prints them).
# With EXTRA_LIBS=1 every JVM also preloads 13 system libraries: more mapped objects per JVM.
# Needs root (unshare --pid). Usage: bash benchmarks/fleet.sh [N...]   (default: 10 25 50)
# Prints one line per N; figures in benchmarks/RESULTS.md ("Fleet: check --all") come from it.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$PWD/agent/target/profguard-agent.jar
[ -f "$jar" ] || { echo "build first: mvn -B -ntp -q package -DskipTests" >&2; exit 1; }
java=${JAVA:-java}
if [ "${1:-}" = --inner ]; then
  work=$2 extra=$3
else
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/Sleep.java" <<'JAVA'
public class Sleep {
    public static void main(String[] args) throws Exception {
        System.out.println("up");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
JAVA
"$(dirname "$(readlink -f "$(command -v "$java")")")/javac" -d "$work" "$work/Sleep.java"
extra=""
if [ "${EXTRA_LIBS:-0}" = 1 ]; then
  for lib in libz.so.1 libbz2.so.1 liblzma.so.5 libzstd.so.1 libssl.so.3 libcrypto.so.3 libcurl.so.4 \
             libxml2.so.2 libsqlite3.so.0 libffi.so.8 libgmp.so.10 libexpat.so.1 libpcre2-8.so.0; do
    extra="$extra /usr/lib/x86_64-linux-gnu/$lib"
  done
fi
fi

# Runs inside the namespace: start N JVMs, wait until all are up, measure, print one line.
inner() {
  local n=$1 i pids=()
  for i in $(seq 1 "$n"); do
    local agent=()
    [ $((i % 5)) -eq 0 ] && agent=("-javaagent:$jar")
    LD_PRELOAD="$extra" "$java" "${agent[@]}" -Xmx16m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$work" Sleep \
      > "$work/jvm$i.out" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 "$n"); do
    until grep -q up "$work/jvm$i.out" 2>/dev/null; do sleep 0.2; done
  done
  local objects=0 pid
  for pid in "${pids[@]}"; do
    objects=$((objects + $(awk '$6 ~ /^\// {print $6}' "/proc/$pid/maps" | sort -u | wc -l)))
  done
  local once
  once=$( { /usr/bin/time -f '%e %U %S' "$java" -jar "$jar" check --all --format json > "$work/once.json"; } 2>&1 | tail -1)
  timeout 9 "$java" -jar "$jar" check --all --every 1s --textfile "$work/fleet.prom" > "$work/rounds.txt" || true
  local jvms
  jvms=$(grep -o '"jvms":[0-9]*' "$work/once.json" | cut -d: -f2)
  read -r wall user sys <<< "$once"
  local first repeated
  first=$(sed -n 1p "$work/rounds.txt" | grep -o 'round: [^)]*')
  repeated=$(sed -n '2,$p' "$work/rounds.txt" | grep -o 'round: [^)]*' | sed 's/round: //' | paste -sd'|' -)
  echo "N=$n jvms=$jvms mapped_objects=$objects | one run: ${wall} s wall, ${user} s user + ${sys} s sys | first round: ${first#round: } | later rounds: $repeated"
  kill "${pids[@]}" 2>/dev/null || true # the JVMs this started; the namespace ends with this shell anyway
}

if [ "${1:-}" = --inner ]; then
  inner "$4"
  exit 0
fi
for n in ${@:-10 25 50}; do
  unshare --pid --fork --mount-proc bash "$0" --inner "$work" "$extra" "$n"
done
