package dev.profguard.it.app;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;

/**
 * An agent started before profguard that redefines jdk.internal.loader.NativeLibraries with one
 * message changed (" already loaded in another classloader" in capitals): a change the gate must
 * keep when it patches the same class. Prints REDEFINED.
 */
public final class RedefiningAgent {
    static final String MESSAGE = " already loaded in another classloader";
    static final String CHANGED = " ALREADY loaded in another classloader";

    private RedefiningAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) throws Exception {
        Class<?> target = Class.forName("jdk.internal.loader.NativeLibraries", false, null);
        byte[][] read = new byte[1][];
        ClassFileTransformer reader = new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                                    byte[] classfile) {
                if (redefined == target) {
                    read[0] = classfile;
                }
                return null;
            }
        };
        instrumentation.addTransformer(reader, true);
        instrumentation.retransformClasses(target);
        instrumentation.removeTransformer(reader);
        byte[] bytes = read[0];
        byte[] from = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        byte[] to = CHANGED.getBytes(StandardCharsets.US_ASCII);
        int replaced = 0;
        for (int i = 0; i + from.length <= bytes.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, bytes, i, to.length); // same length: the constant pool stays valid
                replaced++;
            }
        }
        if (replaced != 1) {
            throw new IllegalStateException("message found " + replaced + " times");
        }
        instrumentation.redefineClasses(new ClassDefinition(target, bytes));
        System.out.println("REDEFINED");
    }
}
