package dev.profguard.rules;

/**
 * The built-in rules, in the rules-file format and parsed by the same parser as a user's rules
 * file. A text constant, not a jar resource: reading a resource through the class loader costs
 * jar-URL and module-image look-ups on every JVM start. Adding a profiler is a change to this text
 * only.
 */
final class BuiltinRules {
    static final String TEXT = """
            # Built-in rules. Facts from MTuner's public sources (RudjiGames/MTuner, RudjiGames/rmem),
            # summarised in shared/docs/mtuner-client.md.

            [rule mtuner-client]
            profiler = MTuner's client (rmem)
            # rmem's exported C API (extern "C"); two of them in one object is the client.
            symbols = rmemInit rmemShutDown rmemStartCapture rmemAlloc rmemRealloc rmemAllocAligned
                      rmemReallocAligned rmemFree rmemRegisterTag rmemEnterTag rmemLeaveTag
                      rmemRegisterMarker rmemSetMarker rmemRegisterAllocator rmemCreateMarker
                      rmemCreateMarkerRGB rmemCreateTag rmemAddModuleC rmemAddModuleW
                      rmemRemoveModuleC rmemRemoveModuleW rmemHookAllocs rmemUnhookAllocs
            symbols.min = 2
            names = *mtuner* librmem.so* librmem_*.so* librmem-*.so*
            variables = MTuner_Allocator
            capture.files = mtuner_capture_*.MTuner *.MTuner
            # rmemShutDown() flushes, closes the capture file and turns every later report into a no-op.
            shutdown = rmemShutDown
            # Strings that stay in the client's read-only data after hiding and stripping.
            marks = mtuner_capture_ .MTuner
            # Its default build carries a ~1.64 GB .bss (a zero-filled PT_LOAD): supporting evidence.
            zero.fill = 1g
            # Every capture file starts with: endianness 00, pointer size 40, version 01 02, toolchain
            # 02 (gcc) or 03 (clang). A file that starts so is capture data whatever its name.
            capture.header = 0040010202 0040010203

            # Rules of strength refuse (the default) are acted on in production per action; strength
            # warn: one WARN line, never refused, never switched off. Facts about each tool: the
            # Debian packages of bookworm (nm -D of their libraries) unless said otherwise.

            [rule heaptrack]
            profiler = heaptrack
            # Debian libheaptrack: /usr/lib/heaptrack/libheaptrack_preload.so (heaptrack PROGRAM, via
            # LD_PRELOAD) and libheaptrack_inject.so (heaptrack --pid, dlopen'ed through gdb).
            symbols = heaptrack_init heaptrack_stop heaptrack_malloc heaptrack_free heaptrack_realloc
                      heaptrack_inject heaptrack_pause heaptrack_resume heaptrack_invalidate_module_cache
            libraries = libheaptrack_preload.so* libheaptrack_inject.so*
            names = *heaptrack*
            variables = DUMP_HEAPTRACK_OUTPUT
            # Written by heaptrack_interpret (a process of its own) from the JVM's pipe.
            capture.files = heaptrack.*.zst heaptrack.*.gz
            # void heaptrack_stop(void): flushes and stops recording.
            shutdown = heaptrack_stop

            [rule jemalloc-prof]
            profiler = jemalloc's heap profiler
            # jemalloc(3) "opt.prof"; _RJEM_ is the prefix of Rust's tikv-jemallocator builds. jemalloc as
            # the allocator with profiling off is production's own business: no finding.
            variables.match = MALLOC_CONF=*prof:true* _RJEM_MALLOC_CONF=*prof:true*
            # Asked of jemalloc itself (mallctl): also a malloc_conf symbol or /etc/malloc.conf.
            mallctl = opt.prof
            # Sampled (one sample per 512 KiB by default), dumps only on request or at exit.
            strength = warn

            [rule gperftools-heap]
            profiler = gperftools' heap profiler
            # HEAPPROFILE=prefix starts it in libtcmalloc (not libtcmalloc_minimal): every allocation is
            # recorded with its stack and dumped to prefix.NNNN.heap. tcmalloc without it: no finding.
            variables.match = HEAPPROFILE=*
            requires = libtcmalloc.so* libtcmalloc_and_profiler.so* libtcmalloc_debug.so*
            shutdown = HeapProfilerStop

            [rule gperftools-cpu]
            profiler = gperftools' CPU profiler
            # libprofiler: CPUPROFILE=file starts SIGPROF sampling at load; ProfilerStop() ends it.
            variables.match = CPUPROFILE=*
            requires = libprofiler.so* libtcmalloc_and_profiler.so*
            shutdown = ProfilerStop
            strength = warn

            [rule glibc-memusage]
            profiler = glibc's memusage
            # libc-devtools: memusage(1) preloads it; it counts every allocation and writes MEMUSAGE_OUTPUT.
            libraries = libmemusage.so
            variables = MEMUSAGE_OUTPUT MEMUSAGE_PROG_NAME

            [rule glibc-malloc-debug]
            profiler = glibc's malloc debugging (mtrace, mcheck)
            # glibc 2.34+: mtrace and mcheck live in libc_malloc_debug.so, which must be preloaded;
            # mtrace() then logs every malloc and free to MALLOC_TRACE. void muntrace(void) ends it.
            libraries = libc_malloc_debug.so*
            variables = MALLOC_TRACE
            shutdown = muntrace
            strength = warn

            [rule bytehound]
            profiler = bytehound
            # Not packaged. Exported C API of its libbytehound.so (koute/bytehound, preload/src/api.rs).
            symbols = memory_profiler_start memory_profiler_stop memory_profiler_sync memory_profiler_set_marker
                      memory_profiler_override_next_timestamp memory_profiler_raw_mmap memory_profiler_raw_munmap
            names = libbytehound.so*
            variables = MEMORY_PROFILER_OUTPUT MEMORY_PROFILER_LOG
            capture.files = memory-profiling_*.dat
            shutdown = memory_profiler_stop

            [rule valgrind]
            profiler = Valgrind
            # A process run under valgrind has its tool's preload objects mapped (Debian valgrind,
            # /usr/libexec/valgrind). Cannot be switched off from inside.
            libraries = vgpreload_*.so

            [rule sanitizer-runtime]
            profiler = a sanitizer runtime (ASan, TSan, LSan, HWASan)
            # gcc's runtimes (libasan8 ...): debugging builds, heavy in memory and time; no capture data.
            libraries = libasan.so* libtsan.so* liblsan.so* libhwasan.so*
            strength = warn

            [rule async-profiler]
            profiler = async-profiler
            # Maven Central tools.profiler:async-profiler, linux-x64/libasyncProfiler.so: as -agentpath,
            # attached later (jcmd JVMTI.agent_load, asprof), or loaded through its Java API. Stopping it
            # takes asprof_execute("stop"), not a void(void) call: not switched off in place.
            symbols = asprof_init asprof_execute asprof_error_str Java_one_profiler_AsyncProfiler_start0
                      Java_one_profiler_AsyncProfiler_stop0 Java_one_profiler_AsyncProfiler_execute0
            names = libasyncProfiler.so*
            # A sampling profiler many run in production on purpose.
            strength = warn

            [rule jdwp-server]
            profiler = a JDWP debugger port
            # server=y listens for a debugger: anyone who reaches it runs code in the JVM. Options are
            # read once at launch: not switched off in place.
            arguments = -agentlib:jdwp=*server=y* -Xrunjdwp:*server=y* -agentpath:*libjdwp.so=*server=y*

            [rule ptrace-tracer]
            profiler = a ptrace-based tracer or debugger
            # TracerPid of proc(5) status: strace, ltrace (which can log every malloc), gdb, and any
            # other ptrace tracer can read and change all of the JVM's memory. Cannot be switched off
            # from inside.
            tracers = *
            strength = warn

            [rule heap-hook]
            profiler = a heap hook rewritten into libjvm.so
            # libjvm.so's GOT slots of the heap functions must point where the dynamic linker binds
            # them; heaptrack --pid's injection rewrites them, and so could a hidden tool. The object
            # pointed into is named. Audited by the watcher through the probe. Cannot be switched off.
            slots = malloc free calloc realloc posix_memalign aligned_alloc memalign valloc
                    malloc_usable_size

            [rule nmt-detail]
            profiler = Native Memory Tracking in detail mode
            # The JVM's own accounting of its native memory: no data of the application leaves it, but
            # detail keeps a stack for every JVM malloc (memory and time). summary is fine.
            arguments = -XX:NativeMemoryTracking=detail
            strength = warn
            """;

    private BuiltinRules() {
    }
}
