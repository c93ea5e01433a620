package dev.profguard.it.app;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * Another agent, started after profguard's: it registers a retransforming transformer of its own
 * (changing nothing) and retransforms the JDK's native-library loaders, as APM agents that
 * instrument the JDK do. The JVM rebuilds each class from its initial class file through the
 * transformers registered now: profguard's gate must still be in it. FFM's loader too, where
 * there is one (JDK 18+).
 */
public final class RetransformingAgent {
    private RetransformingAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) throws Exception {
        instrumentation.addTransformer(new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                                    byte[] classfile) {
                return null;
            }
        }, true);
        Class<?> jni = Class.forName("jdk.internal.loader.NativeLibraries", false, null);
        Class<?> ffm;
        try { // FFM's loader, JDK 18+: profguard defined it with its gate in front
            ffm = Class.forName("jdk.internal.loader.RawNativeLibraries", false, null);
        } catch (ClassNotFoundException e) {
            ffm = null;
        }
        if (ffm == null) {
            instrumentation.retransformClasses(jni);
        } else {
            instrumentation.retransformClasses(jni, ffm);
        }
        System.out.println("RETRANSFORMED");
    }
}
