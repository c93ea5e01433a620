package dev.profguard.runtime;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Defines {@code java.lang.ProfguardBridge} in java.base, the one class that code instrumented
 * inside java.base (Runtime's library loading) can call: the boot loader cannot see the agent's
 * classes, and appending the agent jar to the bootstrap search makes the JVM print a CDS warning
 * (JDK 17 and 25). The bridge holds a {@code Consumer<Object[]>} hook, set here, and a static
 * {@code check(String route, Class<?> from, String name)} that passes each call to it.
 *
 * <p>It is defined through a private lookup on java.lang, which Instrumentation.redefineModule
 * opens to the agent's module for that purpose.
 */
final class GateBridge {
    static final String NAME = "java/lang/ProfguardBridge";
    static final String CHECK_DESCRIPTOR = "(Ljava/lang/String;Ljava/lang/Class;Ljava/lang/String;)V";

    private GateBridge() {
    }

    /** Defines the bridge (once per JVM) and sets its hook. */
    static synchronized void install(Instrumentation instrumentation, Consumer<Object[]> hook) throws Exception {
        Class<?> bridge;
        try {
            bridge = Class.forName(NAME.replace('/', '.'), false, null);
        } catch (ClassNotFoundException e) {
            instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("java.lang", Set.of(GateBridge.class.getModule())), Set.of(), Map.of());
            bridge = MethodHandles.privateLookupIn(Runtime.class, MethodHandles.lookup()).defineClass(bytes());
        }
        Field field = bridge.getField("hook");
        field.set(null, hook);
    }

    /**
     * <pre>
     * public final class ProfguardBridge {
     *     public static volatile Consumer&lt;Object[]&gt; hook;
     *     public static void check(String route, Class&lt;?&gt; from, String name) {
     *         Consumer h = hook;
     *         if (h != null) h.accept(new Object[] {route, from, name});
     *     }
     * }
     * </pre>
     */
    static byte[] bytes() {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, NAME, null,
                "java/lang/Object", null);
        writer.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE, "hook",
                "Ljava/util/function/Consumer;", null, null).visitEnd();
        MethodVisitor check = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "check", CHECK_DESCRIPTOR, null, null);
        check.visitCode();
        Label done = new Label();
        check.visitFieldInsn(Opcodes.GETSTATIC, NAME, "hook", "Ljava/util/function/Consumer;");
        check.visitVarInsn(Opcodes.ASTORE, 3);
        check.visitVarInsn(Opcodes.ALOAD, 3);
        check.visitJumpInsn(Opcodes.IFNULL, done);
        check.visitVarInsn(Opcodes.ALOAD, 3);
        check.visitInsn(Opcodes.ICONST_3);
        check.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
        for (int i = 0; i < 3; i++) {
            check.visitInsn(Opcodes.DUP);
            check.visitInsn(Opcodes.ICONST_0 + i);
            check.visitVarInsn(Opcodes.ALOAD, i);
            check.visitInsn(Opcodes.AASTORE);
        }
        check.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/function/Consumer", "accept", "(Ljava/lang/Object;)V", true);
        check.visitLabel(done);
        check.visitInsn(Opcodes.RETURN);
        check.visitMaxs(0, 0);
        check.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}
