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
            """;

    private BuiltinRules() {
    }
}
