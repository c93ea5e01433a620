#!/usr/bin/env bash
# Builds the native fixtures of the integration tests with gcc, from this directory's sources.
# usage: build.sh OUTPUT_DIR
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_DIR}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
hardening=(-O2 -fPIC -Wall -Wextra -Werror -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wl,-z,relro,-z,now)

# MTuner's client stand-in, exporting rmem's API and interposing malloc/free when preloaded.
gcc "${hardening[@]}" -shared -o "$out/libmtuner_standin.so" "$src/mtuner_standin.c" -lpthread
# The same library under an innocent name: only its symbols give it away.
cp "$out/libmtuner_standin.so" "$out/libcompress-helper.so"
# Hidden symbols, stripped, ~1.6 GB .bss: only its content and shape give it away.
gcc "${hardening[@]}" -shared -fvisibility=hidden -DSTANDIN_HIDDEN -o "$out/libhidden-helper.so" \
    "$src/mtuner_standin.c" -lpthread
strip --strip-all "$out/libhidden-helper.so"
# Hidden and stripped with a small .bss: only its content gives it away (red team, round 20).
gcc "${hardening[@]}" -shared -fvisibility=hidden -DSTANDIN_HIDDEN -DSTANDIN_SMALL_POOL -o "$out/libhidden-small.so" \
    "$src/mtuner_standin.c" -lpthread
strip --strip-all "$out/libhidden-small.so"
# Hidden and stripped, and wipes its marks from its loaded memory: only its file still carries them.
gcc "${hardening[@]}" -shared -fvisibility=hidden -DSTANDIN_HIDDEN -DSTANDIN_WIPE_MARKS -o "$out/libwiped-helper.so" \
    "$src/mtuner_standin.c" -lpthread
strip --strip-all "$out/libwiped-helper.so"
# The client with its section headers altered: what ld.so reads (PT_DYNAMIC) is intact.
gcc "${hardening[@]}" -o "$out/alter_elf" "$src/alter_elf.c"
"$out/alter_elf" strip-sections "$out/libmtuner_standin.so" "$out/libsections-gone.so"
"$out/alter_elf" hide-dynsym "$out/libmtuner_standin.so" "$out/libdynsym-hidden.so"
# Every rmem* symbol bound to a hidden (non-default) version, rmemInit@RMEM_1: invisible to
# dlsym("rmemInit"), there all the same (red team). -Bsymbolic-functions: its own calls stay inside.
printf 'RMEM_1 { global: rmem*; };\n' > "$out/rmem.map"
gcc "${hardening[@]}" -shared -Wl,--version-script="$out/rmem.map" -Wl,-Bsymbolic-functions \
    -o "$out/libversioned.so" "$src/mtuner_standin.c" -lpthread
"$out/alter_elf" hide-versions "$out/libversioned.so" "$out/libversioned-helper.so"
rm "$out/libversioned.so"
# The client as a JVMTI agent library (-agentpath), e.g. named inside -XX:VMOptionsFile.
gcc "${hardening[@]}" -shared -DSTANDIN_AGENT -o "$out/libagent-helper.so" "$src/mtuner_standin.c" -lpthread
# A switch-off that never returns, and a client that hides from dl_iterate_phdr (red-team cases).
gcc "${hardening[@]}" -shared -DSTANDIN_HANG_SHUTDOWN -o "$out/libhang-helper.so" "$src/mtuner_standin.c" -lpthread
gcc "${hardening[@]}" -shared -DSTANDIN_HIDE_ITERATION -o "$out/libhiding-helper.so" "$src/mtuner_standin.c" -lpthread -ldl
# Changes the environment before the JVM reads it.
gcc "${hardening[@]}" -shared -o "$out/libsetenv-early.so" "$src/setenv_early.c"
gcc "${hardening[@]}" -shared -o "$out/libunsetenv-early.so" "$src/unsetenv_early.c"
# Unlinks its own file once mapped: tests copy it first, then preload the copy.
gcc "${hardening[@]}" -shared -DSTANDIN_SELF_DELETE -o "$out/libself-deleting.so" "$src/mtuner_standin.c" -lpthread
# red team round 16: the client rewrites the linker's record of itself (its name, program headers, dynamic section)
gcc "${hardening[@]}" -shared -o "$out/librenamed-record.so" "$src/mtuner_standin.c" "$src/renamed_record.c" -lpthread -ldl
# Hidden, stripped, wipes its marks in memory and deletes its own file: only its mapped bytes
# (/proc/PID/map_files) still carry them (red team, second round). Tests copy it first.
gcc "${hardening[@]}" -shared -fvisibility=hidden -DSTANDIN_HIDDEN -DSTANDIN_WIPE_MARKS -DSTANDIN_SELF_DELETE \
    -o "$out/libwiped-self-deleting.so" "$src/mtuner_standin.c" -lpthread
strip --strip-all "$out/libwiped-self-deleting.so"
# Benign, but dlopen()s $LATE_DLOPEN from a native thread after a delay: behind the gate's back.
gcc "${hardening[@]}" -shared -o "$out/liblate-dlopen.so" "$src/late_dlopen.c" -ldl -lpthread
# Benign, but its JNI_OnLoad dlopen()s $ONLOAD_DLOPEN before returning.
gcc "${hardening[@]}" -shared -o "$out/libjni-onload-dlopen.so" "$src/jni_onload_dlopen.c" -ldl
# A hidden heap hook: its JNI_OnLoad rewrites libjvm.so's GOT slot for free (only the slot audit sees it).
gcc "${hardening[@]}" -fvisibility=hidden -shared -o "$out/libfastpath.so" "$src/got_hook.c"
# jemalloc options compiled in (a malloc_conf symbol): profiling on with no variable.
gcc "${hardening[@]}" -shared -o "$out/libmalloc-conf.so" "$src/malloc_conf.c"
# bytehound's exported C API (not packaged): libbytehound.so.
gcc "${hardening[@]}" -fvisibility=hidden -shared -o "$out/libbytehound.so" "$src/bytehound_standin.c"
# Holds write leases on files it makes (red team, round 21).
gcc "${hardening[@]}" -o "$out/lease_holder" "$src/lease_holder.c"
# An ordinary library: the load gate must let it through silently.
gcc "${hardening[@]}" -shared -o "$out/libbenign.so" "$src/benign.c"
# The same, padded to be larger than the client: a file whose inode the client can borrow (red team, round 12).
gcc "${hardening[@]}" -shared -DBENIGN_PADDED -o "$out/libbenign-padded.so" "$src/benign.c"
# Lies about /proc/self/environ by interposing open (red team, round 6). -D_FORTIFY_SOURCE=0: it
# defines the fortified __open_2 itself. Not hardened otherwise: it stands in for an attacker's library.
gcc -O2 -fPIC -Wall -Wextra -Werror -U_FORTIFY_SOURCE -shared -o "$out/libfake-environ.so" "$src/fake_environ.c"
# Starts a JVM in its own process (JNI_CreateJavaVM) after a setenv: an embedding host.
jdk_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
gcc "${hardening[@]}" -I"$jdk_home/include" -I"$jdk_home/include/linux" -o "$out/embed_launcher" \
    "$src/embed_launcher.c" -ldl
# Named libjvm.so, not the JVM's: claims attach is closed (tests preload it from a directory of its own).
mkdir -p "$out/fake-jvm"
gcc "${hardening[@]}" -I"$jdk_home/include" -I"$jdk_home/include/linux" -shared -o "$out/fake-jvm/libjvm.so" \
    "$src/fake_jvm.c"
# Nothing of MTuner's but the zero-filled segment.
gcc "${hardening[@]}" -shared -o "$out/libbigbss.so" "$src/bigbss.c"
echo "native fixtures built in $out"
