package dev.profguard.runtime;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The same insertion as {@link EntryPatch}, written with the ASM that Byte Buddy bundles: used
 * when EntryPatch declines a class file (something a future JDK may add). Kept in a class of its
 * own so that ASM's classes are loaded only then, not on every start.
 */
final class AsmEntryPatch {
    private AsmEntryPatch() {
    }

    /**
     * Inserts, at the start of each target method, check(route, calling class or null, name as a
     * String). Returns null (class unchanged) when no target was found; count[0] is the number of
     * methods instrumented.
     */
    static byte[] apply(byte[] classfile, EntryPatch.Targets targets, String owner, String descriptor, int[] count) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String methodDescriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, methodDescriptor, signature, exceptions);
                String route = targets.route(access, name, methodDescriptor);
                if (route == null) {
                    return next;
                }
                count[0]++;
                boolean classAndString = methodDescriptor.startsWith(EntryPatch.CLASS_STRING);
                return new MethodVisitor(Opcodes.ASM9, next) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        super.visitLdcInsn(route);
                        if (classAndString) {
                            super.visitVarInsn(Opcodes.ALOAD, 1); // the calling class
                            super.visitVarInsn(Opcodes.ALOAD, 2); // the file or library name
                        } else {
                            super.visitInsn(Opcodes.ACONST_NULL);
                            super.visitVarInsn(Opcodes.ALOAD, 1); // a Path or a String
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/String", "valueOf",
                                    "(Ljava/lang/Object;)Ljava/lang/String;", false);
                        }
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, "check", descriptor, false);
                    }
                };
            }
        }, 0);
        return count[0] == 0 ? null : writer.toByteArray();
    }
}
