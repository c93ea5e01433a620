package dev.profguard.ops;

import dev.profguard.detect.MappedObject;
import dev.profguard.detect.ProcFs;
import dev.profguard.elf.ElfResult;
import dev.profguard.elf.ElfSymbols;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a process is a JVM, by what it runs rather than what it is called: code mapped from an
 * object that defines the JNI invocation API's {@code JNI_CreateJavaVM} (the JVM itself, whatever
 * its file is called and wherever it was copied), or from a file named {@code libjvm.so}. Its
 * executable's name ({@code java}) only adds to these: a JVM built into its launcher exports
 * nothing. The answer about a file is kept by its identity (device, inode, size and change time,
 * which no one but the kernel sets), never by its name.
 */
final class JvmIdentity {
    /** jni.h: the one entry point every launcher of a JVM calls. */
    static final String CREATE_JAVA_VM = "JNI_CreateJavaVM";

    private final ElfSymbols elf = new ElfSymbols(Set.of(CREATE_JAVA_VM));
    private final Map<String, Boolean> defines = new HashMap<>();

    /**
     * Why the process is a JVM ("maps /usr/lib/jvm/.../libjvm.so, which defines JNI_CreateJavaVM"),
     * or null when nothing says so.
     */
    String why(ProcFs view, List<MappedObject> objects, String executableName) {
        for (MappedObject object : objects) {
            if (object.executable() && object.path().endsWith("/libjvm.so")) {
                return "maps " + object.path();
            }
        }
        for (MappedObject object : objects) {
            if (object.executable() && definesCreateJavaVm(view, object)) {
                return "maps " + object.path() + ", which defines " + CREATE_JAVA_VM;
            }
        }
        return "java".equals(executableName) ? "runs an executable named java" : null;
    }

    private boolean definesCreateJavaVm(ProcFs view, MappedObject object) {
        Path file = object.deleted() ? view.contentOf(object) : view.file(object.path());
        String key = FileStamp.of(file);
        if (key == null) {
            return false; // gone or not ours to stat: the judgement reads what it can, if the name says java
        }
        Boolean known = FileStamp.fresh(key) ? null : defines.get(key);
        if (known == null) {
            ElfResult result = elf.read(file);
            known = result.symbols().contains(CREATE_JAVA_VM);
            if (!FileStamp.fresh(key)) {
                defines.put(key, known);
            }
        }
        return known;
    }
}
