package dev.profguard.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ElfSymbolsTest {
    private static final List<String> CLIENT = List.of("rmemInit", "rmemShutDown", "rmemAlloc", "rmemFree");
    private final ElfSymbols reader = new ElfSymbols(CLIENT);

    @TempDir
    Path dir;

    static Stream<ElfImage> layouts() {
        return Stream.of(new ElfImage(true, ByteOrder.LITTLE_ENDIAN), new ElfImage(true, ByteOrder.BIG_ENDIAN),
                new ElfImage(false, ByteOrder.LITTLE_ENDIAN), new ElfImage(false, ByteOrder.BIG_ENDIAN));
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void findsDefinedClientSymbolsInEveryClassAndByteOrder(ElfImage image) throws IOException {
        image.define("rmemInit", "compress", "rmemShutDown").importing("rmemFree", "malloc");
        ElfResult result = reader.read(write(image.bytes()));
        assertEquals(ElfResult.Status.OK, result.status(), result.toString());
        assertEquals(List.of("rmemInit", "rmemShutDown"), result.symbols(), "imports are not definitions");
        assertTrue(result.hasDynamicSymbols());
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void findsDefinedClientSymbolsThroughTheGnuHashTable(ElfImage image) throws IOException {
        image.hashed().define("rmemInit", "compress", "rmemShutDown", "rmemInitX").importing("rmemFree", "malloc");
        ElfResult result = reader.read(write(image.bytes()));
        assertEquals(List.of("rmemInit", "rmemShutDown"), result.symbols(), result.toString());
    }

    /** A corrupt .gnu.hash is not trusted: the reader walks .dynsym instead, and finds as much. */
    static Stream<Object[]> hashCorruptions() {
        return Stream.of(
                new Object[]{"no buckets", (HashChange) (b, i) -> b.putInt(i.hashOffset, 0)},
                new Object[]{"no bloom words", (HashChange) (b, i) -> b.putInt(i.hashOffset + 8, 0)},
                new Object[]{"huge bloom", (HashChange) (b, i) -> b.putInt(i.hashOffset + 8, 0x7fff_ffff)},
                new Object[]{"huge bucket count", (HashChange) (b, i) -> b.putInt(i.hashOffset, -1)},
                new Object[]{"symoffset past the table", (HashChange) (b, i) -> b.putInt(i.hashOffset + 4, 99_999)},
                new Object[]{"bucket below symoffset", (HashChange) (b, i) -> b.putInt(i.hashOffset + 24, 1)},
                new Object[]{"bucket past the table", (HashChange) (b, i) -> b.putInt(i.hashOffset + 24, 77)},
                new Object[]{"endless chain", (HashChange) (b, i) -> {
                    for (int k = 0; k < 3; k++) {
                        b.putInt(i.chainOffset() + 4 * k, 0); // never the end bit, never the hash
                    }
                }},
                new Object[]{"hash outside the file", (HashChange) (b, i) -> b.putLong(i.sectionField(3, 0x18, 0), 1L << 40)},
                new Object[]{"hash linked elsewhere", (HashChange) (b, i) -> b.putInt(i.sectionField(3, 0x28, 0), 2)});
    }

    interface HashChange {
        void apply(ByteBuffer bytes, ElfImage image);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hashCorruptions")
    void corruptGnuHashFallsBackToTheFullWalk(String what, HashChange change) throws IOException {
        ElfImage image = ElfImage.elf64().hashed().define("rmemInit", "compress", "rmemShutDown").importing("rmemFree");
        byte[] bytes = image.bytes();
        change.apply(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), image);
        ElfResult result = reader.read(write(bytes));
        assertEquals(ElfResult.Status.OK, result.status(), result.toString());
        assertEquals(List.of("rmemInit", "rmemShutDown"), result.symbols(), what);
    }

    @Test
    void hashLookupAgreesWithTheFullWalkOnRealLibraries() throws IOException {
        List<String> names = List.of("malloc", "free", "calloc", "realloc", "JNI_CreateJavaVM", "JNI_OnLoad",
                "JLI_Launch", "printf", "deflate", "inflate", "dlopen", "pthread_create", "rmemInit", "rmemShutDown",
                "_ZNSt6thread6_StateD2Ev", "__libc_malloc", "no_such_symbol_anywhere");
        ElfSymbols hashed = new ElfSymbols(names, true);
        ElfSymbols walked = new ElfSymbols(names, false);
        List<Path> libraries = new java.util.ArrayList<>();
        Path jdkLib = Path.of(System.getProperty("java.home"), "lib");
        try (Stream<Path> files = Files.walk(jdkLib, 2)) {
            files.filter(f -> f.getFileName().toString().endsWith(".so")).forEach(libraries::add);
        }
        for (String system : List.of("/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libz.so.1",
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6")) {
            if (Files.exists(Path.of(system))) {
                libraries.add(Path.of(system));
            }
        }
        assertTrue(libraries.size() > 5, libraries.toString());
        int definedSomething = 0;
        for (Path library : libraries) {
            ElfResult viaHash = hashed.read(library);
            ElfResult viaWalk = walked.read(library);
            assertEquals(viaWalk.toString(), viaHash.toString(), library.toString());
            assertEquals("", viaHash.mismatch(), library + ": an honest linker's section headers agree with PT_DYNAMIC");
            definedSomething += viaHash.symbols().isEmpty() ? 0 : 1;
        }
        assertTrue(definedSomething >= 2, "libjvm.so and libc.so.6 define some of the names");
    }

    /**
     * Every shared object of the machine and of both JDKs, read through PT_DYNAMIC: honest linkers
     * (GNU ld, gold, lld) write section headers that agree with it, and the lookup and the walk agree.
     */
    @Test
    void everyLibraryOnTheMachineReadsAndAgrees() throws IOException {
        List<String> names = List.of("malloc", "free", "JNI_CreateJavaVM", "JNI_OnLoad", "deflate", "rmemInit",
                "rmemShutDown", "pthread_create", "_ZdlPv", "no_such_symbol_anywhere");
        ElfSymbols hashed = new ElfSymbols(names, true);
        ElfSymbols walked = new ElfSymbols(names, false);
        List<Path> libraries = new java.util.ArrayList<>();
        for (String root : List.of("/lib/x86_64-linux-gnu", "/usr/lib/jvm")) {
            if (Files.isDirectory(Path.of(root))) {
                try (Stream<Path> files = Files.walk(Path.of(root), 6)) {
                    files.filter(f -> f.getFileName().toString().contains(".so") && Files.isRegularFile(f)
                            && !Files.isSymbolicLink(f)).forEach(libraries::add);
                }
            }
        }
        assumeTrue(libraries.size() > 20, "few libraries here: " + libraries.size());
        int elf = 0;
        for (Path library : libraries) {
            ElfResult viaHash = hashed.read(library);
            if (viaHash.status() == ElfResult.Status.NOT_ELF) {
                continue; // linker scripts such as libc.so
            }
            elf++;
            assertEquals(ElfResult.Status.OK, viaHash.status(), library + ": " + viaHash);
            assertEquals("", viaHash.mismatch(), library + ": " + viaHash);
            assertEquals(walked.read(library).toString(), viaHash.toString(), library.toString());
        }
        assertTrue(elf > 20, "read " + elf + " shared objects");
    }

    @Test
    void nameThatOnlyStartsLikeAWantedOneIsNotAMatch() throws IOException {
        ElfImage image = ElfImage.elf64().define("rmemInitX", "xrmemInit", "rmemIni");
        assertEquals(List.of(), reader.read(write(image.bytes())).symbols());
    }

    @Test
    void readsTheRealJvmLibraryWithoutFindingTheClient() {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        ElfResult result = reader.read(libjvm);
        assertEquals(ElfResult.Status.OK, result.status(), result.toString());
        assertEquals(List.of(), result.symbols());
        ElfResult jni = new ElfSymbols(List.of("JNI_CreateJavaVM", "rmemInit")).read(libjvm);
        assertEquals(List.of("JNI_CreateJavaVM"), jni.symbols(), "a symbol libjvm.so does define is found");
    }

    @Test
    void zeroFillComesFromTheProgramHeaders() {
        // libjvm.so's writable PT_LOAD has a .bss; the value is what readelf shows as MemSiz - FileSiz.
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        ElfResult result = reader.read(libjvm);
        assertTrue(result.zeroFill() > 0 && result.zeroFill() < (1L << 30), "libjvm's .bss: " + result.zeroFill());
    }

    @Test
    void unusableProgramHeadersMeanNoZeroFillNotAnError() throws IOException {
        ElfImage image = ElfImage.elf64().define("rmemInit", "rmemFree"); // no program headers at all
        ElfResult result = reader.read(write(image.bytes()));
        assertEquals(ElfResult.Status.OK, result.status());
        assertEquals(0, result.zeroFill());
    }

    @Test
    void nonElfFilesAreNotElf() throws IOException {
        assertEquals(ElfResult.Status.NOT_ELF, reader.read(write(new byte[0])).status());
        assertEquals(ElfResult.Status.NOT_ELF, reader.read(write("PK\u0003\u0004 a zip".getBytes())).status());
        assertEquals(ElfResult.Status.NOT_ELF, reader.read(write(new byte[]{0x7f, 'E', 'L'})).status());
        assertUnreadable(reader.read(write(new byte[]{0x7f, 'E', 'L', 'F', 2, 1})), "truncated ELF header");
    }

    @Test
    void missingDirectoryAndSpecialFilesAreUnreadableNotThrown() throws Exception {
        assertUnreadable(reader.read(dir.resolve("absent.so")), "no such file");
        assertUnreadable(reader.read(dir), "not a regular file (directory)");
        assertUnreadable(reader.read(Path.of("/dev/zero")), "not a regular file (character device)"); // endless
        assertUnreadable(reader.read(Path.of("/dev/null")), "not a regular file (character device)");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path socket = dir.resolve("socket");
            server.bind(UnixDomainSocketAddress.of(socket));
            assertUnreadable(reader.read(socket), "not a regular file (socket)");
        }
    }

    /** Opening a FIFO for reading blocks until a writer comes: the reader must not open it at all. */
    @Test
    void fifoIsUnreadableWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        Path link = Files.createSymbolicLink(dir.resolve("libfifo.so"), fifo);
        // a liveness check (a blocked open never returns), not a timing assertion
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertUnreadable(reader.read(fifo), "not a regular file (fifo)");
            assertUnreadable(reader.read(link), "not a regular file (fifo)"); // followed, as open would
        });
    }

    @Test
    void readsTheMachinesLibcAndJvmLibrary() {
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        assumeTrue(Files.exists(libc), "no glibc at " + libc);
        ElfResult result = new ElfSymbols(List.of("malloc", "rmemInit", "printf")).read(libc);
        assertEquals(ElfResult.Status.OK, result.status(), result.toString());
        assertEquals(List.of("malloc", "printf"), result.symbols());
        assertEquals("", result.mismatch(), "an honest linker's section headers agree with PT_DYNAMIC");
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        ElfResult jvm = new ElfSymbols(List.of("JNI_CreateJavaVM", "rmemInit")).read(libjvm);
        assertEquals(List.of("JNI_CreateJavaVM"), jvm.symbols(), jvm.toString());
        assertEquals("", jvm.mismatch());
        assertTrue(jvm.hasDynamicSymbols());
    }

    @Test
    void objectWithoutDynamicSymbolsIsReadAndEmpty() throws IOException {
        ElfImage image = ElfImage.elf64().define("rmemInit", "rmemFree");
        byte[] bytes = image.bytes();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(image.sectionField(1, 4, 4), 1); // PROGBITS
        ElfResult result = reader.read(write(bytes));
        assertEquals(ElfResult.Status.OK, result.status());
        assertFalse(result.hasDynamicSymbols());
    }

    @Test
    void extendedSectionNumberingIsFollowed() throws IOException {
        ElfImage image = ElfImage.elf64().define("rmemInit", "rmemFree");
        byte[] bytes = image.bytes();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0x3c, (short) 0);                       // e_shnum = 0 ...
        b.putLong(image.sectionField(0, 0x20, 0x14), 3);   // ... the count is in section 0's sh_size
        assertEquals(List.of("rmemFree", "rmemInit"), reader.read(write(bytes)).symbols(), "sorted");
    }

    /** One corruption of a valid 64-bit image each, with the reason the reader must give. */
    static Stream<Object[]> corruptions() {
        return Stream.of(
                corrupt("bad ELF class", (i) -> i.put(4, (byte) 7)),
                corrupt("bad ELF data encoding", (i) -> i.put(5, (byte) 0)),
                corrupt("no section headers", (i) -> i.putLong(0x28, 0)),
                corrupt("section headers outside the file", (i) -> i.putLong(0x28, Long.MAX_VALUE)),
                corrupt("section headers outside the file", (i) -> i.putLong(0x28, -8)),
                corrupt("bad section header size", (i) -> i.putShort(0x3a, (short) 8)),
                corrupt("truncated section header table", (i) -> i.putShort(0x3c, (short) 0x7fff)),
                corrupt("bad .dynsym string table link", (i) -> i.putInt(IMAGE.sectionField(1, 0x28, 0), 9)),
                corrupt("bad .dynsym string table link", (i) -> i.putInt(IMAGE.sectionField(1, 0x28, 0), 0)),
                corrupt("bad .dynsym string table", (i) -> i.putInt(IMAGE.sectionField(1, 0x28, 0), 1)),
                corrupt("bad .dynsym entry size", (i) -> i.putLong(IMAGE.sectionField(1, 0x38, 0), 7)),
                corrupt("symbol tables outside the file", (i) -> i.putLong(IMAGE.sectionField(1, 0x20, 0), 1L << 40)),
                corrupt("symbol tables outside the file", (i) -> i.putLong(IMAGE.sectionField(2, 0x18, 0), -1)),
                corrupt("symbol tables outside the file", (i) -> i.putLong(IMAGE.sectionField(2, 0x20, 0), Long.MAX_VALUE)));
    }

    private static final ElfImage IMAGE = ElfImage.elf64().define("rmemInit", "rmemFree");

    private static Object[] corrupt(String reason, Consumer<ByteBuffer> change) {
        byte[] bytes = IMAGE.bytes();
        change.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return new Object[]{reason, bytes};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void corruptHeadersAreUnreadableWithAReason(String reason, byte[] bytes) throws IOException {
        assertUnreadable(reader.read(write(bytes)), reason);
    }

    @Test
    void symbolNamesPointingOutsideTheStringTableAreSkipped() throws IOException {
        ElfImage image = ElfImage.elf64().define("rmemInit", "rmemFree");
        byte[] bytes = image.bytes();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(image.dynsymOffset + 24, 0x7fff_ffff);
        ElfResult result = reader.read(write(bytes));
        assertEquals(List.of("rmemFree"), result.symbols());
    }

    @Test
    void everyTruncationOfAValidImageIsHandled() {
        for (ElfImage image : layouts().toList()) {
            byte[] full = image.define("rmemInit", "rmemFree").bytes();
            for (int length = 0; length < full.length; length++) {
                ElfResult result = reader.read(java.util.Arrays.copyOf(full, length));
                assertTrue(result.status() != ElfResult.Status.OK || result.symbols().size() < 2,
                        "a cut image cannot show every symbol (length " + length + "): " + result);
            }
        }
    }

    private void assertUnreadable(ElfResult result, String reason) {
        assertEquals(ElfResult.Status.UNREADABLE, result.status(), result.toString());
        assertTrue(result.reason().startsWith(reason), "reason '" + result.reason() + "' should start with '" + reason + "'");
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "lib", ".so");
        Files.write(file, bytes);
        return file;
    }
}
