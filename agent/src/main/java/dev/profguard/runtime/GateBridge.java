package dev.profguard.runtime;

import java.io.ByteArrayOutputStream;
import dev.profguard.probe.Probe;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Defines {@code java.lang.ProfguardBridge} in java.base, the one class that code instrumented
 * inside java.base (the JDK's native-library loaders) can call: the boot loader cannot see the
 * agent's classes, and appending the agent jar to the bootstrap search makes the JVM print a CDS
 * warning (JDK 17 and 25). The bridge holds a {@code Function<Object[], Object>} hook, set here,
 * and a static {@code load(String route, Object loader, Class<?> from, String name)} that passes
 * each call to it and returns what it returns: the library to return in place of the original
 * method, or a {@code Class} (the bridge itself when no hook is set) meaning "run the method".
 *
 * <p>It is defined by the probe through JNI, or else through a private lookup on java.lang, which
 * Instrumentation.redefineModule opens to the agent's module for that purpose.
 */
final class GateBridge {
    static final String NAME = "java/lang/ProfguardBridge";
    static final String LOAD_DESCRIPTOR =
            "(Ljava/lang/String;Ljava/lang/Object;Ljava/lang/Class;Ljava/lang/String;)Ljava/lang/Object;";

    private GateBridge() {
    }

    /**
     * Defines the bridge (once per JVM) and sets its hook: through the probe's JNI DefineClass in
     * the boot loader when it is loaded (no module opened: about 0.5 ms where the other route's
     * redefineModule and private lookup cost about 4.7 ms of premain, issue #16), else as below.
     */
    static synchronized void install(Instrumentation instrumentation, Function<Object[], Object> hook, Probe probe)
            throws Exception {
        if (probe != null && probe.defineBootClass(NAME, bytes(NAME), "hook", "Ljava/util/function/Function;", hook)) {
            return;
        }
        Class<?> bridge;
        // java.lang opened to the agent's module: to define the bridge, and to set its private hook
        if (!Object.class.getModule().isOpen("java.lang", GateBridge.class.getModule())) {
            instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("java.lang", Set.of(GateBridge.class.getModule())), Set.of(), Map.of());
        }
        try {
            bridge = Class.forName(NAME.replace('/', '.'), false, null);
        } catch (ClassNotFoundException e) {
            bridge = MethodHandles.privateLookupIn(Runtime.class, MethodHandles.lookup()).defineClass(bytes(NAME));
        }
        // private: an application cannot replace the gate (java.lang is not open to it)
        Field field = bridge.getDeclaredField("hook");
        field.setAccessible(true);
        field.set(null, hook);
    }

    /**
     * The bridge's class file, written out by hand (18 constants, one field, one method) rather
     * than with ASM, whose classes would cost more to load on the path to main than the class
     * itself (benchmarks/RESULTS.md):
     * <pre>
     * public final class ProfguardBridge {
     *     private static volatile Function&lt;Object[], Object&gt; hook;
     *     public static Object load(String route, Object loader, Class&lt;?&gt; from, String name) {
     *         Function h = hook;
     *         if (h == null) return ProfguardBridge.class;
     *         return h.apply(new Object[] {route, loader, from, name});
     *     }
     * }
     * </pre>
     * The unit tests define it under another name in a verifying class loader and call it.
     *
     * @param name the internal name to give it ({@link #NAME} but in tests)
     */
    static byte[] bytes(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(500);
        put(out, 0xCAFE, 0xBABE, 0, 55, 19);         // magic, minor, major (Java 11), constant count
        utf8(out, name);                             // #1
        classRef(out, 1);                            // #2
        utf8(out, "java/lang/Object");               // #3
        classRef(out, 3);                            // #4
        utf8(out, "hook");                           // #5
        utf8(out, "Ljava/util/function/Function;");  // #6
        utf8(out, "load");                           // #7
        utf8(out, LOAD_DESCRIPTOR);                  // #8
        utf8(out, "Code");                           // #9
        pair(out, 12, 5, 6);                         // #10 NameAndType hook:Function
        pair(out, 9, 2, 10);                         // #11 Fieldref ProfguardBridge.hook
        utf8(out, "java/util/function/Function");    // #12
        classRef(out, 12);                           // #13
        utf8(out, "apply");                          // #14
        utf8(out, "(Ljava/lang/Object;)Ljava/lang/Object;"); // #15
        pair(out, 12, 14, 15);                       // #16 NameAndType apply
        pair(out, 11, 13, 16);                       // #17 InterfaceMethodref Function.apply
        utf8(out, "StackMapTable");                  // #18
        put(out, 0x0031, 2, 4, 0);                   // public final super, this #2, super #4, no interfaces
        put(out, 1, 0x004A, 5, 6, 0);                // one field: private static volatile hook, no attributes
        put(out, 1, 0x0009, 7, 8, 1);                // one method: public static load, one attribute
        byte[] code = {
            (byte) 0xb2, 0, 11,                      // 0: getstatic hook
            0x59,                                    // 3: dup
            (byte) 0xc7, 0, 7,                       // 4: ifnonnull 11
            0x57,                                    // 7: pop
            0x12, 2,                                 // 8: ldc ProfguardBridge.class: "run the method"
            (byte) 0xb0,                             // 10: areturn
            0x07,                                    // 11: iconst_4        (stack: hook)
            (byte) 0xbd, 0, 4,                       // 12: anewarray Object
            0x59, 0x03, 0x2a, 0x53,                  // 15: dup, iconst_0, aload_0, aastore
            0x59, 0x04, 0x2b, 0x53,                  // 19: dup, iconst_1, aload_1, aastore
            0x59, 0x05, 0x2c, 0x53,                  // 23: dup, iconst_2, aload_2, aastore
            0x59, 0x06, 0x2d, 0x53,                  // 27: dup, iconst_3, aload_3, aastore
            (byte) 0xb9, 0, 17, 2, 0,                // 31: invokeinterface Function.apply, 2 slots
            (byte) 0xb0                              // 36: areturn
        };
        byte[] stackMap = {0, 1, 64 + 11, 7, 0, 13}; // one frame at 11: same locals, stack [Function]
        put(out, 9);                                 // Code
        put4(out, 8 + code.length + 4 + 6 + stackMap.length); // limits, code, no handlers, one attribute
        put(out, 5, 4);                              // max_stack, max_locals
        put4(out, code.length);
        out.write(code, 0, code.length);
        put(out, 0, 1, 18);                          // no handlers; one attribute: StackMapTable
        put4(out, stackMap.length);
        out.write(stackMap, 0, stackMap.length);
        put(out, 0);                                 // no class attributes
        return out.toByteArray();
    }

    private static void utf8(ByteArrayOutputStream out, String text) {
        out.write(1);
        put(out, text.length());
        for (int i = 0; i < text.length(); i++) {
            out.write(text.charAt(i)); // every name here is ASCII
        }
    }

    private static void classRef(ByteArrayOutputStream out, int name) {
        out.write(7);
        put(out, name);
    }

    private static void pair(ByteArrayOutputStream out, int tag, int first, int second) {
        out.write(tag);
        put(out, first, second);
    }

    /** Each value as a big-endian u2. */
    private static void put(ByteArrayOutputStream out, int... values) {
        for (int value : values) {
            out.write(value >>> 8);
            out.write(value);
        }
    }

    private static void put4(ByteArrayOutputStream out, int value) {
        put(out, value >>> 16, value & 0xffff);
    }
}
