#!/usr/bin/env bash
# Builds the native probe with gcc (no downloads) and, with "test", runs its C unit tests under
# AddressSanitizer and UndefinedBehaviorSanitizer. Called by Maven (see pom.xml).
# usage: build.sh library TARGET_DIR JAVA_HOME | build.sh test TARGET_DIR
set -euo pipefail
mode=${1:?usage: build.sh library|test TARGET_DIR [JAVA_HOME]}
target=${2:?target directory}
src=$(cd "$(dirname "$0")/src" && pwd)
sources=("$src"/main/c/buffer.c "$src"/main/c/loaded_objects.c "$src"/main/c/symbols.c
         "$src"/main/c/environ_live.c "$src"/main/c/content.c "$src"/main/c/process.c
         "$src"/main/c/mapped_symbols.c "$src"/main/c/start_scan.c "$src"/main/c/got_audit.c
         "$src"/main/c/allocator_controls.c "$src"/main/c/runtime_image.c "$src"/main/c/entry_patch.c "$src"/main/c/mappings.c)
warnings=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wconversion -Wno-sign-conversion)
hardening=(-O2 -fPIC -fvisibility=hidden -fstack-protector-strong -D_FORTIFY_SOURCE=2
           -Wl,-z,relro,-z,now -Wl,-z,noexecstack -s)

case "$mode" in
library)
  java_home=${3:?JAVA_HOME}
  out="$target/classes/META-INF/native/linux-x86_64"
  mkdir -p "$out"
  gcc "${warnings[@]}" "${hardening[@]}" -shared \
      -I"$java_home/include" -I"$java_home/include/linux" -I"$target/native/include" \
      -o "$out/libprofguard_probe.so" "${sources[@]}" "$src/main/c/probe_jni.c"
  # From a jar the loader checks the extracted library against the entry's CRC-32 in the jar's
  # central directory; from a classes directory (the build's own tests), against this record.
  rm -f "$out/libprofguard_probe.so.sha256"
  (cd "$out" && gzip -c libprofguard_probe.so | tail -c8 | od -An -tx4 -N4 | tr -d ' \n' > libprofguard_probe.so.crc32)
  echo "native probe built: $out/libprofguard_probe.so (crc32 $(cat "$out/libprofguard_probe.so.crc32"))"
  ;;
test)
  out="$target/native-test"
  mkdir -p "$out"
  sanitize=(-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
  gcc "${warnings[@]}" -O2 -fPIC -shared -o "$out/libprobe_fixture.so" "$src/test/c/probe_fixture.c"
  gcc "${warnings[@]}" "${sanitize[@]}" -I"$src/main/c" -o "$out/probe_test" \
      "$src/test/c/probe_test.c" "${sources[@]}" -ldl -lpthread
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
      "$out/probe_test" "$out/libprobe_fixture.so" "$target/test-classes/dev/profguard/probe/PatchTarget.class"
  ;;
*)
  echo "unknown mode $mode" >&2
  exit 2
  ;;
esac
