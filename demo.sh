#!/usr/bin/env bash
# Quick start: builds profguard and shows its verdict on real JVMs, with a stand-in for MTuner's
# client (built with gcc from it-tests/src/test/c) preloaded the way it would be in production.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
agent="$root/agent/target/profguard-agent.jar"
client="$root/it-tests/target/fixtures/libmtuner_standin.so"

echo "== building (mvn package; the native fixtures are built with gcc)"
mvn -B -q -ntp package -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] args) { System.out.println("main ran: hello"); } }
JAVA
javac -d "$work" "$work/Hello.java"
cd "$work"

run() {
  echo
  echo "\$ $*"
  set +e
  env "$@"
  echo "(exit status $?)"
  set -e
}
echo
echo "== 1. a clean production JVM, launched hardened (attach closed): main runs, profguard says nothing"
run APP_ENV=production java -XX:+DisableAttachMechanism -javaagent:"$agent" -cp . Hello
echo
echo "== 1b. the same with the JVM's default, attach open: one WARN names the flag that closes it"
run APP_ENV=production java -javaagent:"$agent" -cp . Hello
echo
echo "== 2. MTuner's client preloaded into a production JVM: refused before main (exit status 78)"
run APP_ENV=production LD_PRELOAD="$client" java -XX:+DisableAttachMechanism -javaagent:"$agent" -cp . Hello
echo
echo "== 3. the same client renamed, in staging: warned about, main runs"
cp "$client" "$work/libcompress-helper.so"
run APP_ENV=staging LD_PRELOAD="$work/libcompress-helper.so" java -javaagent:"$agent" -cp . Hello
echo
echo "== 4. the same in production with action=neutralize: switched off in place (rmemShutDown), main runs"
run APP_ENV=production LD_PRELOAD="$work/libcompress-helper.so" java -XX:+DisableAttachMechanism -javaagent:"$agent"=action=neutralize -cp . Hello
echo
echo "== 5. a typo in an option: the JVM stops before main (exit status 64)"
run java -javaagent:"$agent"=env=production,action=refsue -cp . Hello
