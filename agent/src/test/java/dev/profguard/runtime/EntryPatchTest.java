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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

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
    private static final String DESCRIPTOR = GateBridge.CHECK_DESCRIPTOR;
    private static final EntryPatch.Targets TARGETS = (access, name, descriptor) -> {
        if ((access & Opcodes.ACC_STATIC) != 0) {
            return null;
        }
        if (descriptor.equals(LoadTransformer.TARGET_DESCRIPTOR)) {
            return name.equals("load0") ? "load" : name.equals("loadLibrary0") ? "loadLibrary" : null;
        }
        return name.equals("load") ? "ffm" : null;
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

    private static List<String> runAll(Class<?> type) throws Exception {
        Class<?>[] classAndString = {Class.class, String.class};
        return List.of(
                call(type, "load0", classAndString, String.class, "123"),
                call(type, "load0", classAndString, Integer.class, "x7"),
                call(type, "load0", classAndString, Integer.class, "12345"),
                call(type, "loadLibrary0", classAndString, Long.class, "ab"),
                call(type, "load", new Class<?>[]{Path.class}, Path.of("/tmp/x.so")),
                call(type, "load", new Class<?>[]{String.class}, "libz.so"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"EntryPatch", "ASM"})
    void thePatchedClassVerifiesCallsTheHookFirstAndBehavesAsBefore(String how) throws Exception {
        byte[] original = classFile(PatchFixture.class);
        int[] count = {0};
        byte[] patched = patch(how, original, count);
        assertEquals(4, count[0], "load0, loadLibrary0, load(Path), load(String); not the static one");

        List<String> before = runAll(define(PatchFixture.class.getName(), original));
        assertEquals(List.of(), PatchHook.CALLS);
        List<String> after = runAll(define(PatchFixture.class.getName(), patched));
        assertEquals(before, after, "the original code still runs, unchanged");
        assertEquals(List.of("load|String|123", "load|Integer|x7", "load|Integer|12345", "loadLibrary|Long|ab",
                "ffm|null|/tmp/x.so", "ffm|null|libz.so"), PatchHook.CALLS);
        assertEquals("three:123:150,String", before.get(0).substring(5), "the fixture ran its switch and loop");
    }

    @Test
    void exceptionsStillReachTheirHandlersAfterTheShift() throws Exception {
        int[] count = {0};
        Class<?> type = define(PatchFixture.class.getName(), patch("EntryPatch", classFile(PatchFixture.class), count));
        // "x7" is not a number: the handler, now 8 bytes further on, must still catch it
        assertEquals("null/two:nan:175,Integer",
                call(type, "load0", new Class<?>[]{Class.class, String.class}, Integer.class, "x7"));
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
        byte[] patched = LoadTransformer.instrument(annotated, count, TARGETS, HOOK);
        assertEquals(1, count[0]);
        Class<?> type = define(PatchFixture.Annotated.class.getName(), patched);
        assertEquals("null/2", call(type, "load0", new Class<?>[]{Class.class, String.class}, String.class, "ab"));
        assertEquals(List.of("load|String|ab"), PatchHook.CALLS);
    }

    /** What a method's code starts with, as ASM reads it back. */
    private static List<String> firstInstructions(byte[] classfile, String method) {
        List<String> seen = new ArrayList<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!name.equals(method)) {
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
    void thisJdksRuntimeIsPatchedWithoutAsm() throws Exception {
        byte[] runtime = classFile(Runtime.class);
        int[] count = {0};
        byte[] patched = EntryPatch.apply(runtime, LoadTransformer.runtimeTargets(), GateBridge.NAME, DESCRIPTOR, count);
        assertEquals(2, count[0], "load0 and loadLibrary0 on JDK " + Runtime.version());
        assertEquals(List.of("ldc load", "aload 1", "aload 2", GateBridge.NAME + ".check"), firstInstructions(patched, "load0"));
        assertEquals(List.of("ldc loadLibrary", "aload 1", "aload 2", GateBridge.NAME + ".check"),
                firstInstructions(patched, "loadLibrary0"));
        // what ASM makes of the same class file calls the same, at the same place
        byte[] viaAsm = AsmEntryPatch.apply(runtime, LoadTransformer.runtimeTargets(), GateBridge.NAME, DESCRIPTOR, new int[1]);
        assertEquals(firstInstructions(viaAsm, "load0"), firstInstructions(patched, "load0"));
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
        Class<?> bridge = define(name, GateBridge.bytes(name.replace('.', '/')));
        Method check = bridge.getMethod("check", String.class, Class.class, String.class);
        check.invoke(null, "load", String.class, "/x.so"); // no hook yet: nothing happens
        List<Object[]> calls = new ArrayList<>();
        bridge.getField("hook").set(null, (Consumer<Object[]>) calls::add);
        check.invoke(null, "loadLibrary", Integer.class, "z");
        assertEquals(1, calls.size());
        assertArrayEquals(new Object[]{"loadLibrary", Integer.class, "z"}, calls.get(0));
        // an exception the hook throws (a refusal) reaches the caller as it is
        bridge.getField("hook").set(null, (Consumer<Object[]>) call -> {
            throw new UnsatisfiedLinkError("refused");
        });
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> check.invoke(null, "load", String.class, "/y.so"));
        assertEquals("refused", thrown.getCause().getMessage());
    }
}
