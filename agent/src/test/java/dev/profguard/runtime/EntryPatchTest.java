package dev.profguard.runtime;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The load gate's class-file edit, and its ASM fallback, on methods shaped like the JDK's load
 * routes: the patched class must pass the JVM's verifier (a test class loader verifies what it
 * defines; the boot loader would not) and call the hook first, then behave as before.
 */
class EntryPatchTest {
    private static final String HOOK = "dev/profguard/runtime/PatchHook";
    private static final String DESCRIPTOR = "(Ljava/lang/String;Ljava/lang/Object;Ljava/lang/Class;Ljava/lang/String;)"
            + "Ljava/lang/Object;";
    private static final EntryPatch.Targets TARGETS = (access, name, descriptor) -> {
        if ((access & Opcodes.ACC_STATIC) != 0) {
            return null;
        }
        return name.equals("loadLibrary") ? "jni" : name.equals("load") ? "ffm" : null;
    };

    @BeforeEach
    void clear() {
        PatchHook.CALLS.clear();
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    private static byte[] patch(String how, byte[] classfile, int[] count) throws Exception {
        return how.equals("EntryPatch") ? EntryPatch.apply(classfile, TARGETS, HOOK, DESCRIPTOR, count)
                : AsmEntryPatch.apply(classfile, TARGETS, HOOK, DESCRIPTOR, count);
    }

    /** Defines the class from these bytes in a loader of its own, which verifies it. */
    private static Class<?> define(String name, byte[] bytes) throws ClassNotFoundException {
        ClassLoader loader = new ClassLoader(EntryPatchTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String requested, boolean resolve) throws ClassNotFoundException {
                if (!requested.equals(name)) {
                    return super.loadClass(requested, resolve);
                }
                synchronized (getClassLoadingLock(requested)) {
                    Class<?> loaded = findLoadedClass(requested);
                    return loaded != null ? loaded : defineClass(requested, bytes, 0, bytes.length);
                }
            }
        };
        return Class.forName(name, true, loader);
    }

    /** Calls one method on a fresh instance; returns its result and the trace it left. */
    private static String call(Class<?> type, String method, Class<?>[] parameters, Object... arguments)
            throws Exception {
        Object instance = type.getDeclaredConstructor().newInstance();
        Method m = type.getDeclaredMethod(method, parameters);
        m.setAccessible(true);
        Object result = m.invoke(instance, arguments);
        return result + "/" + type.getField("trace").get(instance);
    }

    private static final Class<?>[] JNI = {Class.class, String.class, boolean.class};

    private static List<String> runAll(Class<?> type) throws Exception {
        return List.of(
                call(type, "loadLibrary", JNI, String.class, "123", false),
                call(type, "loadLibrary", JNI, Integer.class, "x7", true),
                call(type, "loadLibrary", JNI, Integer.class, "12345", false),
                call(type, "loadLibrary", new Class<?>[]{Class.class, String.class}, Long.class, "ab"),
                call(type, "load", new Class<?>[]{String.class}, "libz.so"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"EntryPatch", "ASM"})
    void thePatchedClassVerifiesCallsTheHookFirstAndBehavesAsBefore(String how) throws Exception {
        byte[] original = classFile(PatchFixture.class);
        int[] count = {0};
        byte[] patched = patch(how, original, count);
        assertEquals(3, count[0], "both loadLibrary and load(String); not the static one");

        List<String> before = runAll(define(PatchFixture.class.getName(), original));
        assertEquals(List.of(), PatchHook.CALLS);
        List<String> after = runAll(define(PatchFixture.class.getName(), patched));
        assertEquals(before, after, "the original code still runs, unchanged");
        assertEquals(List.of("jni|PatchFixture|String|123", "jni|PatchFixture|Integer|x7", "jni|PatchFixture|Integer|12345",
                "jni|PatchFixture|Long|ab", "ffm|PatchFixture|null|libz.so"), PatchHook.CALLS);
        assertEquals("ran/three:123:150,String", before.get(0), "the fixture ran its switch and loop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"EntryPatch", "ASM"})
    void whatTheHookReturnsIsReturnedInPlaceOfTheMethodAndWhatItThrowsIsThrown(String how) throws Exception {
        Class<?> type = define(PatchFixture.class.getName(), patch(how, classFile(PatchFixture.class), new int[1]));
        assertEquals("returned by the gate/", call(type, "loadLibrary", JNI, String.class, "gate:x", false),
                "the method's own code did not run: its trace is empty");
        assertEquals("returned by the gate/", call(type, "load", new Class<?>[]{String.class}, "gate:y"));
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> call(type, "load", new Class<?>[]{String.class}, "refuse:z"));
        assertEquals("profguard: refused", thrown.getCause().getMessage());
    }

    @Test
    void exceptionsStillReachTheirHandlersAfterTheShift() throws Exception {
        int[] count = {0};
        Class<?> type = define(PatchFixture.class.getName(), patch("EntryPatch", classFile(PatchFixture.class), count));
        // "x7" is not a number: the handler, now 24 bytes further on, must still catch it
        assertEquals("ran/two:nan:175,Integer", call(type, "loadLibrary", JNI, Integer.class, "x7", false));
    }

    @Test
    void aClassWithoutTargetsIsLeftAlone() throws Exception {
        int[] count = {0};
        assertNull(EntryPatch.apply(classFile(PatchHook.class), TARGETS, HOOK, DESCRIPTOR, count));
        assertEquals(0, count[0]);
    }

    @Test
    void typeAnnotationsInCodeAreDeclinedAndAsmTakesOver() throws Exception {
        byte[] annotated = classFile(PatchFixture.Annotated.class);
        EntryPatch.Declined declined = assertThrows(EntryPatch.Declined.class,
                () -> EntryPatch.apply(annotated, TARGETS, HOOK, DESCRIPTOR, new int[1]));
        assertTrue(declined.getMessage().contains("RuntimeVisibleTypeAnnotations"), declined.getMessage());

        int[] count = {0};
        byte[] patched = asmFallback(annotated, count);
        assertEquals(1, count[0]);
        Class<?> type = define(PatchFixture.Annotated.class.getName(), patched);
        assertEquals("annotated/2", call(type, "load", new Class<?>[]{String.class}, "ab"));
        assertEquals(List.of("ffm|Annotated|null|ab"), PatchHook.CALLS);
    }

    private static byte[] asmFallback(byte[] classfile, int[] count) {
        try {
            return EntryPatch.apply(classfile, TARGETS, HOOK, DESCRIPTOR, count);
        } catch (EntryPatch.Declined declined) {
            count[0] = 0;
            return AsmEntryPatch.apply(classfile, TARGETS, HOOK, DESCRIPTOR, count);
        }
    }

    /** What a method's code starts with, as ASM reads it back. */
    private static List<String> firstInstructions(byte[] classfile, String method, String descriptorStart) {
        List<String> seen = new ArrayList<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!name.equals(method) || !descriptor.startsWith(descriptorStart)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitLdcInsn(Object value) {
                        seen.add("ldc " + value);
                    }

                    @Override
                    public void visitVarInsn(int opcode, int var) {
                        seen.add("aload " + var);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean itf) {
                        seen.add(owner + "." + name);
                    }
                };
            }
        }, 0);
        return seen.subList(0, Math.min(4, seen.size()));
    }

    @Test
    void thisJdksLoadersArePatchedWithoutAsm() throws Exception {
        byte[] jni = bootClassFile("jdk/internal/loader/NativeLibraries");
        int[] count = {0};
        byte[] patched = EntryPatch.apply(jni, JdkLoaderPatch.jniTargets(), RuntimeGuard.BRIDGE, RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR, count);
        assertEquals(1, count[0], "NativeLibraries.loadLibrary(Class, String, boolean) on JDK " + Runtime.version());
        assertEquals(List.of("ldc jni", "aload 0", "aload 1", "aload 2"), firstInstructions(patched, "loadLibrary", RuntimeGuard.JNI_DESCRIPTOR));
        // what ASM makes of the same class file calls the same, at the same place
        byte[] viaAsm = AsmEntryPatch.apply(jni, JdkLoaderPatch.jniTargets(), RuntimeGuard.BRIDGE, RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR,
                new int[1]);
        assertEquals(firstInstructions(viaAsm, "loadLibrary", RuntimeGuard.JNI_DESCRIPTOR), firstInstructions(patched, "loadLibrary", RuntimeGuard.JNI_DESCRIPTOR));
        if (Runtime.version().feature() >= 19) {
            byte[] raw = bootClassFile("jdk/internal/loader/RawNativeLibraries");
            EntryPatch.apply(raw, JdkLoaderPatch.ffmTargets(), RuntimeGuard.BRIDGE, RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR, count);
            assertEquals(1, count[0], "RawNativeLibraries.load(String)");
        }
    }

    private static byte[] bootClassFile(String internalName) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream("/" + internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }

    @Test
    void malformedClassFilesAreDeclinedNeverThrown() throws Exception {
        byte[] original = classFile(PatchFixture.class);
        for (int length = 0; length < original.length; length++) {
            byte[] truncated = Arrays.copyOf(original, length);
            expectDeclinedOrBytes(truncated, "truncated to " + length);
        }
        Random random = new Random(6);
        for (int i = 0; i < 3000; i++) {
            byte[] mutated = original.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            expectDeclinedOrBytes(mutated, "mutation " + i);
        }
    }

    private static void expectDeclinedOrBytes(byte[] classfile, String what) {
        try {
            EntryPatch.apply(classfile, TARGETS, HOOK, DESCRIPTOR, new int[1]);
        } catch (EntryPatch.Declined expected) {
            assertNotNull(expected.getMessage());
        } catch (Throwable t) {
            fail(what + ": " + t, t);
        }
    }

    @Test
    void theHandWrittenBridgeVerifiesAndPassesEachCallToItsHook() throws Exception {
        String name = "dev.profguard.runtime.TestBridge";
        Class<?> bridge = define(name, RuntimeGuard.bridgeBytes(name.replace('.', '/')));
        Method load = bridge.getMethod("load", String.class, Object.class, Class.class, String.class);
        assertEquals(bridge, load.invoke(null, "jni", "owner", String.class, "/x.so"), "no hook yet: run the method");
        java.lang.reflect.Field hook = bridge.getDeclaredField("hook");
        assertTrue(java.lang.reflect.Modifier.isPrivate(hook.getModifiers()), "the application cannot set the gate");
        hook.setAccessible(true);
        List<Object[]> calls = new ArrayList<>();
        hook.set(null, (Function<Object[], Object>) call -> {
            calls.add(call);
            return "library";
        });
        assertEquals("library", load.invoke(null, "ffm", "owner", null, "z"));
        assertEquals(1, calls.size());
        assertArrayEquals(new Object[]{"ffm", "owner", null, "z"}, calls.get(0));
        // an exception the hook throws (a refusal) reaches the caller as it is
        hook.set(null, (Function<Object[], Object>) call -> {
            throw new UnsatisfiedLinkError("refused");
        });
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> load.invoke(null, "jni", "owner", String.class, "/y.so"));
        assertEquals("refused", thrown.getCause().getMessage());
    }
}
