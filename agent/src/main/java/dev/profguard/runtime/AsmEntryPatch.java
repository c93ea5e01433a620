package dev.profguard.runtime;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
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
     * Puts, in front of each target method, the call and branch {@link EntryPatch} describes.
     * Returns null (class unchanged) when no target was found; count[0] is the number of methods
     * instrumented.
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
                boolean classAndString = methodDescriptor.startsWith(EntryPatch.CLASS_STRING);
                int close = methodDescriptor.indexOf(')');
                if (!classAndString && !methodDescriptor.startsWith(EntryPatch.STRING)
                        || !methodDescriptor.startsWith("L", close + 1)) {
                    throw new IllegalArgumentException("not a load method: " + name + methodDescriptor);
                }
                String returnType = methodDescriptor.substring(close + 2, methodDescriptor.length() - 1);
                count[0]++;
                return new MethodVisitor(Opcodes.ASM9, next) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        super.visitLdcInsn(route);
                        super.visitVarInsn(Opcodes.ALOAD, 0); // the loader object
                        if (classAndString) {
                            super.visitVarInsn(Opcodes.ALOAD, 1); // the calling class
                            super.visitVarInsn(Opcodes.ALOAD, 2); // the name
                        } else {
                            super.visitInsn(Opcodes.ACONST_NULL);
                            super.visitVarInsn(Opcodes.ALOAD, 1); // the name
                        }
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, "load", descriptor, false);
                        super.visitInsn(Opcodes.DUP);
                        super.visitTypeInsn(Opcodes.INSTANCEOF, "java/lang/Class");
                        Label run = new Label();
                        super.visitJumpInsn(Opcodes.IFNE, run);
                        super.visitTypeInsn(Opcodes.CHECKCAST, returnType);
                        super.visitInsn(Opcodes.ARETURN);
                        super.visitLabel(run);
                        super.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[]{"java/lang/Object"});
                        super.visitInsn(Opcodes.POP);
                        // a frame at the original offset 0, if any, follows as ASM reads it
                    }
                };
            }
        }, 0);
        return count[0] == 0 ? null : writer.toByteArray();
    }
}
