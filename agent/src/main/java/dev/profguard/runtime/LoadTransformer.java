package dev.profguard.runtime;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Inserts {@code ProfguardBridge.check(route, fromClass, name)} at the start of every Java route
 * to loading a native library:
 * <ul>
 * <li>{@code java.lang.Runtime.load0(Class, String)} and {@code loadLibrary0(Class, String)}, where
 *     System.load, System.loadLibrary, Runtime.load and Runtime.loadLibrary meet on JDK 17 to 25
 *     (shared/docs/jdk-facts.md);</li>
 * <li>{@code jdk.internal.loader.RawNativeLibraries.load(Path)} and {@code load(String)}, where
 *     FFM's {@code SymbolLookup.libraryLookup} loads on JDK 22+ (route "ffm", no calling class).</li>
 * </ul>
 * Straight-line code at method entry: no frames change, locals are untouched. Written with the ASM
 * that Byte Buddy bundles: a default Byte Buddy AgentBuilder was measured here at ~+750 ms of JVM
 * start, and prints Unsafe warnings on JDK 25.
 */
final class LoadTransformer implements ClassFileTransformer {
    static final String RUNTIME = "java/lang/Runtime";
    static final String RAW_LIBRARIES = "jdk/internal/loader/RawNativeLibraries";
    static final String TARGET_DESCRIPTOR = "(Ljava/lang/Class;Ljava/lang/String;)V";

    private volatile int runtimeInstrumented;
    private volatile int ffmInstrumented;

    /** How many of Runtime's two entry points were instrumented in its last transformation. */
    int runtimeInstrumented() {
        return runtimeInstrumented;
    }

    /** How many of RawNativeLibraries' two load methods were instrumented (JDK 22+). */
    int ffmInstrumented() {
        return ffmInstrumented;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] classfile) {
        if (RUNTIME.equals(className)) {
            int[] count = {0};
            byte[] result = instrument(classfile, count, RUNTIME_TARGETS);
            runtimeInstrumented = count[0];
            return result;
        }
        if (RAW_LIBRARIES.equals(className)) {
            int[] count = {0};
            byte[] result = instrument(classfile, count, FFM_TARGETS);
            ffmInstrumented = count[0];
            return result;
        }
        return null;
    }

    /** Chooses the methods to guard: the route to report for a method, or null to leave it. */
    private interface Targets {
        String route(int access, String name, String descriptor);
    }

    /** Runtime.load0 / loadLibrary0(Class, String). Named classes, not lambdas: this runs in premain. */
    private static final Targets RUNTIME_TARGETS = new Targets() {
        @Override
        public String route(int access, String name, String descriptor) {
            if ((access & Opcodes.ACC_STATIC) != 0 || !descriptor.equals(TARGET_DESCRIPTOR)) {
                return null;
            }
            return name.equals("load0") ? "load" : name.equals("loadLibrary0") ? "loadLibrary" : null;
        }
    };

    /** RawNativeLibraries.load(Path) and load(String), where FFM's libraryLookup loads. */
    private static final Targets FFM_TARGETS = new Targets() {
        @Override
        public String route(int access, String name, String descriptor) {
            boolean target = name.equals("load") && (access & Opcodes.ACC_STATIC) == 0
                    && (descriptor.startsWith("(Ljava/nio/file/Path;)") || descriptor.startsWith("(Ljava/lang/String;)"));
            return target ? "ffm" : null;
        }
    };

    /**
     * Inserts, at the start of each target method, check(route, calling class or null, name as a
     * String). Runtime's methods take (Class, String); RawNativeLibraries' take one Path or String.
     * Returns null (class unchanged) when no target was found or ASM failed; count[0] is -1 then.
     */
    private static byte[] instrument(byte[] classfile, int[] count, Targets targets) {
        try {
            ClassReader reader = new ClassReader(classfile);
            ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                    String route = targets.route(access, name, descriptor);
                    if (route == null) {
                        return next;
                    }
                    count[0]++;
                    boolean fromRuntime = descriptor.equals(TARGET_DESCRIPTOR);
                    return new MethodVisitor(Opcodes.ASM9, next) {
                        @Override
                        public void visitCode() {
                            super.visitCode();
                            super.visitLdcInsn(route);
                            if (fromRuntime) {
                                super.visitVarInsn(Opcodes.ALOAD, 1); // the calling class
                                super.visitVarInsn(Opcodes.ALOAD, 2); // the file or library name
                            } else {
                                super.visitInsn(Opcodes.ACONST_NULL);
                                super.visitVarInsn(Opcodes.ALOAD, 1); // a Path or a String
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/String", "valueOf",
                                        "(Ljava/lang/Object;)Ljava/lang/String;", false);
                            }
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GateBridge.NAME, "check",
                                    GateBridge.CHECK_DESCRIPTOR, false);
                        }
                    };
                }
            }, 0);
            return count[0] == 0 ? null : writer.toByteArray();
        } catch (RuntimeException e) {
            count[0] = -1;
            return null; // leave the class as it is; the installer reports the gate missing
        }
    }
}
