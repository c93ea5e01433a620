package dev.profguard.probe;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real probe library, built by this module, loaded into the test JVM. A test JVM has no
 * Instrumentation, so this goes through the loader's System.load fallback (JDK 17: no warning);
 * the warning-free route under an agent is covered by it-tests on JDK 17 and 25.
 */
class ProbeTest {
    private static Probe probe;
    private static byte[] libjvm;

    @BeforeAll
    static void load() throws Exception {
        probe = NativeLoader.load(null);
        libjvm = probe.loadedObjects().stream().filter(o -> o.path().endsWith("/libjvm.so"))
                .findFirst().orElseThrow().name();
    }

    /**
     * A class defined in the boot loader from its bytes only when no class of its name is there
     * yet (as the gate defines FFM's loader): true the first time, false when it is defined
     * already and when the bytes are not a class file.
     */
    @Test
    void definesABootClassOnlyWhenItIsAbsent() throws Exception {
        byte[] bytes;
        try (var in = ProbeTest.class.getResourceAsStream("BootDefined.class")) {
            bytes = in.readAllBytes();
        }
        String name = "dev/profguard/probe/BootDefined";
        assertTrue(probe.defineBootClassIfAbsent(name, bytes));
        Class<?> defined = Class.forName("dev.profguard.probe.BootDefined", false, null);
        assertNull(defined.getClassLoader(), "in the boot loader");
        assertEquals("null", defined.getMethod("where").invoke(null));
        assertFalse(probe.defineBootClassIfAbsent(name, bytes), "defined before: not again");
        assertFalse(probe.defineBootClassIfAbsent("dev/profguard/probe/NotAClass", new byte[]{1, 2, 3}), "refused by the JVM");
    }

    @Test
    void listsLoadedObjectsWithBaseAndZeroFill() {
        List<LoadedObject> objects = probe.loadedObjects();
        assertTrue(objects.size() > 5, objects.toString());
        assertEquals("", objects.get(0).path(), "the main program comes first, unnamed");
        assertTrue(objects.stream().anyMatch(o -> o.path().contains("libc.so")), objects.toString());
        assertTrue(objects.stream().allMatch(o -> o.zeroFill() >= 0));
    }

    @Test
    void changeCountIsStableWhileNothingIsLoaded() {
        // That it grows on dlopen/dlclose is checked by the C tests (probe_test.c).
        long before = probe.changeCount();
        assertTrue(before > 0);
        assertEquals(before, probe.changeCount());
    }

    @Test
    void definedSymbolsAreTheObjectsOwnNotItsDependencies() {
        assertEquals(List.of("JNI_CreateJavaVM"), probe.definedSymbols(libjvm, List.of("JNI_CreateJavaVM", "malloc", "rmemInit")));
        assertNull(probe.definedSymbols(b("/no/such/libmtuner.so"), List.of("rmemInit")));
    }

    @Test
    void providerOfMallocIsTheCLibrary() {
        assertTrue(Names.display(probe.provider("malloc")).contains("libc.so"), Names.display(probe.provider("malloc")));
        assertNull(probe.provider("rmemInit"));
    }

    @Test
    void liveEnvironmentMatchesTheProcess() {
        assertEquals(System.getenv("PATH"), probe.liveEnvironment().get("PATH"));
    }

    @Test
    void marksAreFoundInLoadedMemory() {
        assertEquals(List.of("JNI_CreateJavaVM"), probe.marks(libjvm, List.of("JNI_CreateJavaVM", "mtuner_capture_")));
        assertNull(probe.marks(b("/no/such/lib.so"), List.of("x")));
    }

    @Test
    void switchingOffNeedsTheObjectsOwnShutdown() {
        assertEquals(Probe.SwitchOff.NOT_LOADED, probe.switchOff(b("/no/such/libmtuner.so"), "rmemShutDown"));
        assertEquals(Probe.SwitchOff.NO_SHUTDOWN, probe.switchOff(libjvm, "rmemShutDown"));
        assertEquals(Probe.SwitchOff.NO_SHUTDOWN, probe.switchOff(libjvm, "malloc"), "a dependency's function is never called");
    }

    @Test
    void opensOnlyRegularFilesAndNeverBlocks() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("probe-open");
        java.nio.file.Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        boolean[] notRegular = new boolean[1];
        // a FIFO with no writer: open(2) without O_NONBLOCK would wait forever
        assertEquals(-1, probe.openRegular(b(fifo.toString()), notRegular));
        assertTrue(notRegular[0], "a FIFO is said to be not regular");
        notRegular[0] = false;
        assertEquals(-1, probe.openRegular(b("/dev/kmsg"), notRegular));
        assertEquals(-1, probe.openRegular(b(dir.toString()), notRegular));
        notRegular[0] = false;
        assertEquals(-1, probe.openRegular(b(dir.resolve("absent").toString()), notRegular));
        assertTrue(!notRegular[0], "a missing file is not a non-regular one");
        java.nio.file.Path file = dir.resolve("caf\u00e9-\u00ff.bin");
        byte[] weird = (dir + "/lib\u0000".replace("\u0000", "")).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] name = java.util.Arrays.copyOf(weird, weird.length + 4);
        name[weird.length] = (byte) 0xff; // not valid UTF-8
        name[weird.length + 1] = (byte) 0xfe;
        name[weird.length + 2] = '.';
        name[weird.length + 3] = 's';
        assertEquals(null, Names.strictUtf8(name));
        assertTrue(Names.display(name).endsWith("lib\\xff\\xfe.s"), Names.display(name));
        java.nio.file.Files.writeString(file, "x");
        int fd = probe.openRegular(b(file.toString()), notRegular);
        assertTrue(fd >= 0);
        assertEquals("x", java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/fd/" + fd)));
        probe.close(fd);
    }

    @Test
    void knowsItsOwnObject() {
        LoadedObject self = probe.self();
        assertNotNull(self);
        assertTrue(probe.loadedObjects().stream().anyMatch(o -> o.key().equals(self.key()) && o.base() == self.base()));
    }

    private static byte[] b(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void corruptEmbeddedLibraryIsRefusedBeforeLoading() {
        ProbeUnavailableException e = assertThrows(ProbeUnavailableException.class,
                () -> NativeLoader.load(null, ProbeTest.class, "/corrupt/libprofguard_probe.so"));
        assertTrue(e.getMessage().startsWith("the probe library in the agent jar is corrupt (CRC-32 "), e.getMessage());
        ProbeUnavailableException missing = assertThrows(ProbeUnavailableException.class,
                () -> NativeLoader.load(null, ProbeTest.class, "/absent/libprofguard_probe.so"));
        assertTrue(missing.getMessage().contains("has no /absent/libprofguard_probe.so"), missing.getMessage());
        assertNotNull(probe);
    }

    /**
     * From a jar, the extracted library is checked against the CRC-32 the jar's central directory
     * records for the entry: an entry whose bytes were changed after the jar was written (its
     * record left as it was) is refused before anything is loaded.
     */
    @Test
    void jarEntryWhoseBytesDoNotMatchItsRecordIsRefusedBeforeLoading(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        byte[] library = "\u007fELF a stand-in that must never be mapped".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(library);
        java.nio.file.Path jar = dir.resolve("agent.jar");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(jar))) {
            java.util.zip.ZipEntry entry = new java.util.zip.ZipEntry("META-INF/native/linux-x86_64/libprofguard_probe.so");
            entry.setMethod(java.util.zip.ZipEntry.STORED); // the bytes stand in the file as they are
            entry.setSize(library.length);
            entry.setCrc(crc.getValue());
            out.putNextEntry(entry);
            out.write(library);
            out.closeEntry();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(jar);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("stand-in");
        assertTrue(at > 0);
        bytes[at] = 'S';
        java.nio.file.Files.write(jar, bytes);
        ProbeUnavailableException e = assertThrows(ProbeUnavailableException.class, () -> NativeLoader.load(null,
                jar.toFile(), null, ProbeTest.class, "/META-INF/native/linux-x86_64/libprofguard_probe.so", dir));
        assertTrue(e.getMessage().startsWith("the probe library in the agent jar is corrupt (CRC-32 "), e.getMessage());
        try (var left = java.nio.file.Files.list(dir)) {
            assertEquals(List.of(jar), left.toList(), "the private directory and the file are removed again");
        }
        // the same from the jar already open (the agent's loader's), which stays open after
        try (java.util.zip.ZipFile open = new java.util.zip.ZipFile(jar.toFile())) {
            ProbeUnavailableException fromOpen = assertThrows(ProbeUnavailableException.class, () -> NativeLoader.load(null,
                    null, open, ProbeTest.class, "/META-INF/native/linux-x86_64/libprofguard_probe.so", dir));
            assertEquals(e.getMessage(), fromOpen.getMessage());
            assertEquals(library.length, open.getEntry("META-INF/native/linux-x86_64/libprofguard_probe.so").getSize(),
                    "still open");
            assertEquals(library.length, NativeLoader.resource(open, "/META-INF/native/linux-x86_64/libprofguard_probe.so",
                    1 << 20).length, "a resource read from it, as the start-up rules are");
        }
        try (var left = java.nio.file.Files.list(dir)) {
            assertEquals(List.of(jar), left.toList());
        }
    }
}
