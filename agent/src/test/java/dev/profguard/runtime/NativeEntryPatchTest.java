package dev.profguard.runtime;

import dev.profguard.probe.NativeLoader;
import dev.profguard.probe.Probe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The probe's patch of the JDK loaders (entry_patch.c) against {@link EntryPatch}, which it
 * replaces on a clean start: the same bytes for the JDK's own loaders (this JDK's image, and JDK
 * 25's through its jrt file system) and for {@link PatchFixture}; declined, never different, for
 * what EntryPatch declines or any truncated or mutated class file.
 */
class NativeEntryPatchTest {
    private static Probe probe;

    @BeforeAll
    static void loadProbe() throws Exception {
        probe = NativeLoader.load(null);
    }

    private static byte[] viaJava(byte[] classfile, String method, String prefix, String route) {
        EntryPatch.Targets targets = (access, name, descriptor) ->
                (access & 0x0008) == 0 && name.equals(method) && descriptor.startsWith(prefix) ? route : null;
        try {
            return EntryPatch.apply(classfile, targets, RuntimeGuard.BRIDGE, RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR, new int[1]);
        } catch (EntryPatch.Declined declined) {
            return null;
        }
    }

    private static byte[] viaProbe(byte[] classfile, String method, String prefix, String route, int[] count) {
        return probe.patchedImageClass(classfile, "java.base", "unused", method, prefix, route, RuntimeGuard.BRIDGE,
                RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR, count);
    }

    private static void assertSame(byte[] classfile, String method, String prefix, String route, int patched, String what) {
        int[] count = {0};
        byte[] expected = viaJava(classfile, method, prefix, route);
        assertNotNull(expected, what);
        assertArrayEquals(expected, viaProbe(classfile, method, prefix, route, count), what);
        assertEquals(patched, count[0], what);
    }

    private static byte[] fixture() throws IOException {
        try (InputStream in = PatchFixture.class.getResourceAsStream("PatchFixture.class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void theJdksLoadersFromTheImageArePatchedAsEntryPatchPatchesThem() throws IOException {
        int[] count = {0};
        byte[] jni = probe.patchedImageClass(null, "java.base", RuntimeGuard.NATIVE_LIBRARIES, "loadLibrary",
                RuntimeGuard.JNI_DESCRIPTOR, "jni", RuntimeGuard.BRIDGE, RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR, count);
        assertEquals(1, count[0], "NativeLibraries.loadLibrary(Class, String, boolean) on JDK " + Runtime.version());
        assertArrayEquals(viaJava(probe.imageClass("java.base", RuntimeGuard.NATIVE_LIBRARIES), "loadLibrary",
                RuntimeGuard.JNI_DESCRIPTOR, "jni"), jni);
        assertNull(probe.patchedImageClass(null, "java.base", "java/lang/NoSuchClassAnywhere", "load", "(", "x",
                RuntimeGuard.BRIDGE, RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR, count));
        assertEquals(-2, count[0], "not in the image");
    }

    /** JDK 25's loaders, read through its own jrt file system: the one JDK with RawNativeLibraries we test. */
    @Test
    void jdk25sLoadersArePatchedAsEntryPatchPatchesThem() throws IOException {
        Path home = Path.of(System.getProperty("profguard.it.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        assumeTrue(Files.isRegularFile(home.resolve("lib/modules")), "no JDK 25 at " + home);
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", home.toString()))) {
            byte[] jni = Files.readAllBytes(jrt.getPath("modules/java.base/" + RuntimeGuard.NATIVE_LIBRARIES + ".class"));
            byte[] raw = Files.readAllBytes(jrt.getPath("modules/java.base/" + RuntimeGuard.RAW_LIBRARIES + ".class"));
            assertSame(jni, "loadLibrary", RuntimeGuard.JNI_DESCRIPTOR, "jni", 1, "JDK 25 NativeLibraries");
            assertSame(raw, "load", RuntimeGuard.FFM_DESCRIPTOR, "ffm", 1, "JDK 25 RawNativeLibraries");
        }
    }

    @Test
    void theFixturesLoopSwitchHandlerAndStraightLineMethodsArePatchedTheSame() throws Exception {
        byte[] fixture = fixture();
        assertSame(fixture, "loadLibrary", "(Ljava/lang/Class;Ljava/lang/String;", "jni", 2, "both instance loadLibrary");
        assertSame(fixture, "load", "(Ljava/lang/String;)", "ffm", 1, "load(String): no stack map before");
    }

    @Test
    void whatEntryPatchDeclinesTheProbeDeclinesAndNoTargetIsNoPatch() throws Exception {
        int[] count = {0};
        try (InputStream in = PatchFixture.Annotated.class.getResourceAsStream("PatchFixture$Annotated.class")) {
            byte[] annotated = in.readAllBytes();
            assertNull(viaJava(annotated, "load", "(Ljava/lang/String;)", "ffm"));
            assertNull(viaProbe(annotated, "load", "(Ljava/lang/String;)", "ffm", count));
            assertEquals(-1, count[0], "type annotations in code: declined");
        }
        assertNull(viaProbe(fixture(), "absent", "(", "x", count));
        assertEquals(0, count[0], "no target");
    }

    @Test
    void truncatedOrMutatedClassFilesArePatchedTheSameOrDeclined() throws Exception {
        byte[] original = fixture();
        int[] count = {0};
        int same = 0;
        for (int length = 0; length < original.length; length++) {
            byte[] truncated = Arrays.copyOf(original, length);
            byte[] native_ = viaProbe(truncated, "loadLibrary", "(Ljava/lang/Class;Ljava/lang/String;", "jni", count);
            if (native_ != null) {
                assertArrayEquals(viaJava(truncated, "loadLibrary", "(Ljava/lang/Class;Ljava/lang/String;", "jni"), native_,
                        "truncated to " + length);
            }
        }
        Random random = new Random(16);
        for (int i = 0; i < 20000; i++) {
            byte[] mutated = original.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            String method = i % 2 == 0 ? "load" : "loadLibrary";
            String prefix = i % 2 == 0 ? "(Ljava/lang/String;)" : "(Ljava/lang/Class;Ljava/lang/String;";
            byte[] native_ = viaProbe(mutated, method, prefix, "x", count);
            if (native_ != null) {
                assertArrayEquals(viaJava(mutated, method, prefix, "x"), native_, "mutation " + i);
                same++;
            }
        }
        assertTrue(same > 1000, "most single-byte mutations leave a patchable class file: " + same);
    }
}
