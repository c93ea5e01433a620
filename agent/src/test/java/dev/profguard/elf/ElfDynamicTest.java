package dev.profguard.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader finds symbols the way ld.so does, through PT_LOAD and PT_DYNAMIC, whatever the section
 * headers say: altered, pointing at a decoy, or gone (sstrip).
 */
class ElfDynamicTest {
    private static final List<String> CLIENT = List.of("rmemInit", "rmemShutDown", "rmemAlloc", "rmemFree");
    private static final List<String> DEFINED = List.of("rmemInit", "rmemShutDown");
    private final ElfSymbols reader = new ElfSymbols(CLIENT);
    private final ElfSymbols walker = new ElfSymbols(CLIENT, false);

    /** Every class and byte order, each with GNU hash only, System V hash only, both, and neither. */
    static Stream<ElfImage> images() {
        List<ElfImage> images = new ArrayList<>();
        for (boolean is64 : new boolean[]{true, false}) {
            for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                images.add(client(new ElfImage(is64, order).hashed().loadable()));
                images.add(client(new ElfImage(is64, order).sysvHashed()));
                images.add(client(new ElfImage(is64, order).hashed().sysvHashed()));
                images.add(client(new ElfImage(is64, order).loadable()));
            }
        }
        return images.stream();
    }

    private static ElfImage client(ElfImage image) {
        return image.define("rmemInit", "compress", "rmemShutDown", "rmemInitX").importing("rmemFree", "malloc");
    }

    private static String describe(ElfImage image) {
        return (image.is64 ? "64" : "32") + "-bit " + image.order + (image.gnuHash ? " gnu" : "")
                + (image.sysvHash ? " sysv" : "");
    }

    @ParameterizedTest
    @MethodSource("images")
    void findsDefinedSymbolsThroughPtDynamicWithIntactSectionHeaders(ElfImage image) {
        ElfResult result = reader.read(image.bytes());
        assertEquals(ElfResult.Status.OK, result.status(), describe(image) + ": " + result);
        assertEquals(DEFINED, result.symbols(), describe(image));
        assertEquals("", result.mismatch(), "honest section headers agree with PT_DYNAMIC");
        assertTrue(result.hasDynamicSymbols());
        assertEquals(ElfImage.BSS, result.zeroFill(), "the second segment's zero fill");
        assertEquals(result.toString(), walker.read(image.bytes()).toString(), "the hash lookup and the walk agree");
    }

    @ParameterizedTest
    @MethodSource("images")
    void alteredDynsymSectionTypeDoesNotHideTheSymbols(ElfImage image) {
        byte[] bytes = image.bytes();
        buffer(bytes, image).putInt(image.sectionField(1, 4, 4), 1); // SHT_PROGBITS
        ElfResult result = reader.read(bytes);
        assertEquals(DEFINED, result.symbols(), describe(image) + ": " + result);
        assertTrue(result.hasDynamicSymbols());
        assertTrue(result.mismatch().startsWith("section headers disagree with PT_DYNAMIC: .dynsym at none"),
                result.mismatch());
    }

    @ParameterizedTest
    @MethodSource("images")
    void alteredDynsymSectionOffsetDoesNotHideTheSymbols(ElfImage image) {
        byte[] bytes = image.bytes();
        ByteBuffer b = buffer(bytes, image);
        if (image.is64) {
            b.putLong(image.sectionField(1, 0x18, 0), 0); // .dynsym now "at" the ELF header
        } else {
            b.putInt(image.sectionField(1, 0, 0x10), 0);
        }
        ElfResult result = reader.read(bytes);
        // The union: what the section headers' table (now the ELF header read as symbols) shows too.
        assertTrue(result.symbols().containsAll(DEFINED), describe(image) + ": " + result);
        assertTrue(result.mismatch().startsWith("section headers disagree with PT_DYNAMIC: .dynsym at 0x0, DT_SYMTAB at 0x"),
                result.mismatch());
    }

    @ParameterizedTest
    @MethodSource("images")
    void sectionStrippedFileStillShowsItsSymbols(ElfImage image) {
        byte[] bytes = image.bytes();
        ByteBuffer b = buffer(bytes, image);
        // what sstrip does: no section header table at all, and nothing after the last segment
        if (image.is64) {
            b.putLong(0x28, 0).putShort(0x3c, (short) 0).putShort(0x3e, (short) 0);
        } else {
            b.putInt(0x20, 0).putShort(0x30, (short) 0).putShort(0x32, (short) 0);
        }
        byte[] stripped = Arrays.copyOf(bytes, image.shoff);
        ElfResult result = reader.read(stripped);
        assertEquals(DEFINED, result.symbols(), describe(image) + ": " + result);
        assertTrue(result.mismatch().startsWith("no section headers"), result.mismatch());
        ElfResult onlyCount = reader.read(countZeroed(image));
        assertEquals(DEFINED, onlyCount.symbols(), "e_shnum = 0 alone: " + onlyCount);
        assertEquals("section headers unusable (bad section count 0)", onlyCount.mismatch());
    }

    private static byte[] countZeroed(ElfImage image) {
        byte[] bytes = image.bytes();
        buffer(bytes, image).putShort(image.is64 ? 0x3c : 0x30, (short) 0);
        return bytes;
    }

    @ParameterizedTest
    @MethodSource("images")
    void sectionHeadersPointingAtADecoyTableDoNotHideTheSymbols(ElfImage image) {
        image.decoyed();
        byte[] bytes = image.bytes();
        ElfResult result = reader.read(bytes);
        assertEquals(DEFINED, result.symbols(), describe(image) + ": " + result);
        assertTrue(result.mismatch().startsWith("section headers disagree with PT_DYNAMIC"), result.mismatch());
        // Without PT_DYNAMIC the decoy is all there is: this is what a section-only reader saw.
        buffer(bytes, image).putShort(image.is64 ? 0x38 : 0x2c, (short) 0);
        ElfResult sectionsOnly = reader.read(bytes);
        assertEquals(ElfResult.Status.OK, sectionsOnly.status(), sectionsOnly.toString());
        assertEquals(List.of(), sectionsOnly.symbols(), "the decoy defines none of the client's names");
    }

    /** Real libraries stripped of their section headers in memory: PT_DYNAMIC alone shows the same names. */
    @Test
    void realLibrariesWithoutSectionHeadersShowTheSameSymbols() throws java.io.IOException {
        List<String> names = List.of("malloc", "printf", "JNI_CreateJavaVM", "_ZdlPv", "_ZNSt6thread6_StateD2Ev",
                "deflate", "rmemInit", "no_such_symbol");
        ElfSymbols hashed = new ElfSymbols(names);
        ElfSymbols walked = new ElfSymbols(names, false);
        int read = 0;
        for (String name : List.of("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/lib/x86_64-linux-gnu/libz.so.1", System.getProperty("java.home") + "/lib/server/libjvm.so")) {
            java.nio.file.Path library = java.nio.file.Path.of(name);
            if (!java.nio.file.Files.isRegularFile(library)) {
                continue;
            }
            ElfResult intact = hashed.read(library);
            byte[] bytes = java.nio.file.Files.readAllBytes(library);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0x28, 0).putShort(0x3c, (short) 0)
                    .putShort(0x3e, (short) 0);
            ElfResult stripped = hashed.read(bytes);
            assertEquals(ElfResult.Status.OK, stripped.status(), name + ": " + stripped);
            assertFalse(stripped.symbols().isEmpty(), name);
            assertEquals(intact.symbols(), stripped.symbols(), name);
            assertTrue(stripped.mismatch().startsWith("no section headers"), name + ": " + stripped.mismatch());
            assertEquals(stripped.symbols(), walked.read(bytes).symbols(), name + ": lookup and walk agree");
            read++;
        }
        assertTrue(read >= 2, "libc.so.6 and libjvm.so at least");
    }

    @Test
    void namesEitherTableDefinesAreReported() {
        // PT_DYNAMIC names the decoy, the section headers the real table: the stronger evidence wins.
        ElfImage image = client(ElfImage.elf64().hashed()).decoyed();
        byte[] bytes = image.bytes();
        ByteBuffer b = buffer(bytes, image);
        b.putLong(image.dynamicEntry(ElfImage.DT_SYMTAB) + 8, image.vaddr(image.decoySymOffset));
        b.putLong(image.dynamicEntry(ElfImage.DT_STRTAB) + 8, image.vaddr(image.decoyStrOffset));
        b.putLong(image.sectionField(1, 0x18, 0), image.dynsymOffset);
        b.putLong(image.sectionField(1, 0x20, 0), 7L * image.symSize());
        b.putLong(image.sectionField(2, 0x18, 0), image.dynstrOffset);
        b.putLong(image.sectionField(2, 0x20, 0), image.decoyStrOffset - image.dynstrOffset);
        ElfResult result = reader.read(bytes);
        assertEquals(DEFINED, result.symbols(), result.toString());
        assertTrue(result.mismatch().startsWith("section headers disagree with PT_DYNAMIC"), result.mismatch());
    }

    @Test
    void theDynamicSectionIsFoundByItsVirtualAddressAsLdSoFindsIt() {
        ElfImage image = client(ElfImage.elf64().hashed().loadable());
        byte[] bytes = image.bytes();
        ByteBuffer b = buffer(bytes, image);
        b.putLong(image.programField(2, 8, 4), 0);      // PT_DYNAMIC's p_offset: the ELF header (readelf's view)
        b.putLong(0x28, 0);                               // and no section headers to fall back on
        assertEquals(DEFINED, reader.read(bytes).symbols());
    }

    @Test
    void laterDynamicEntryWithTheSameTagWins() {
        ElfImage image = client(ElfImage.elf64().hashed().loadable());
        byte[] bytes = image.bytes();
        ByteBuffer b = buffer(bytes, image);
        b.putLong(0x28, 0); // no section headers: PT_DYNAMIC alone decides
        int before = image.dynamicEntry(ElfImage.DT_GNU_HASH); // comes before DT_SYMTAB
        b.putLong(before, ElfImage.DT_SYMTAB).putLong(before + 8, 0x7777_0000L);
        ElfResult earlierBogus = reader.read(bytes);
        assertEquals(DEFINED, earlierBogus.symbols(), "the real DT_SYMTAB comes later: " + earlierBogus);

        bytes = image.bytes();
        b = buffer(bytes, image);
        b.putLong(0x28, 0);
        int after = image.dynamicEntry(ElfImage.DT_SYMENT); // comes after DT_SYMTAB
        b.putLong(after, ElfImage.DT_SYMTAB).putLong(after + 8, 0x7777_0000L);
        ElfResult laterBogus = reader.read(bytes);
        assertEquals(ElfResult.Status.UNREADABLE, laterBogus.status(), laterBogus.toString());
        assertEquals("DT_SYMTAB outside the loaded segments", laterBogus.reason());
    }

    /** One malformed program header or dynamic entry each, on an image without section headers to fall back on. */
    static Stream<Object[]> dynamicCorruptions() {
        return Stream.of(
                dynamic("DT_SYMTAB outside the loaded segments", i -> i.dynamicEntry(ElfImage.DT_SYMTAB) + 8, -1L),
                dynamic("DT_SYMTAB outside the loaded segments", i -> i.dynamicEntry(ElfImage.DT_SYMTAB) + 8, 0x10L),
                dynamic("DT_STRTAB missing or outside the loaded segments", i -> i.dynamicEntry(ElfImage.DT_STRTAB), 0x7000_0000L),
                dynamic("DT_STRTAB missing or outside the loaded segments",
                        i -> i.dynamicEntry(ElfImage.DT_STRTAB) + 8, ElfImage.BASE + ElfImage.GAP + 0x3000_0000L),
                dynamic("DT_STRTAB missing or outside the loaded segments", // in the zero fill: no file data
                        i -> i.dynamicEntry(ElfImage.DT_STRTAB) + 8, ElfImage.BASE + ElfImage.GAP + 0x1000 + 0x800),
                dynamic("no section headers; PT_DYNAMIC unusable (PT_DYNAMIC outside the loaded segments)",
                        i -> i.programField(2, 16, 8), 0x9000_0000L),
                dynamic("no section headers; PT_DYNAMIC unusable (PT_DYNAMIC outside the loaded segments)",
                        i -> i.programField(1, 8, 4), 0x10_0000_0000L), // second PT_LOAD's offset past the file
                dynamic("no section headers; PT_DYNAMIC unusable (PT_DYNAMIC outside the loaded segments)",
                        i -> i.programField(1, 16, 8), ElfImage.BASE + 0x123), // vaddr and offset not congruent
                dynamic("no section headers", i -> i.programField(2, 0, 0), 7L)); // no PT_DYNAMIC: sections only
    }

    private static Object[] dynamic(String reason, Function<ElfImage, Integer> field, long value) {
        ElfImage image = client(ElfImage.elf64().hashed().loadable());
        byte[] bytes = image.bytes();
        ByteBuffer b = buffer(bytes, image);
        b.putLong(0x28, 0);
        int at = field.apply(image);
        if (at == image.programField(2, 0, 0)) {
            b.putInt(at, (int) value);
        } else {
            b.putLong(at, value);
        }
        return new Object[]{reason, bytes};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dynamicCorruptions")
    void malformedDynamicInformationIsUnreadableWithAReason(String reason, byte[] bytes) {
        ElfResult result = reader.read(bytes);
        assertEquals(ElfResult.Status.UNREADABLE, result.status(), result.toString());
        assertEquals(reason, result.reason());
    }

    /** Corrupt hash tables, absurd counts, no DT_NULL: the reader still answers, from the tables it can trust. */
    static Stream<Object[]> survivableCorruptions() {
        return Stream.of(
                survivable("GNU hash without buckets", i -> i.hashOffset, 0, false),
                survivable("GNU hash with 2^32-1 buckets", i -> i.hashOffset, -1, false),
                survivable("GNU hash with a huge bloom filter", i -> i.hashOffset + 8, 0x7fff_ffff, false),
                survivable("GNU hash symoffset past the table", i -> i.hashOffset + 4, 99_999, false),
                survivable("GNU hash chain without an end", i -> i.chainOffset() + 12, 0, false),
                survivable("System V hash with 2^32-1 chains", i -> i.sysvHashOffset + 4, -1, true),
                survivable("System V hash without buckets", i -> i.sysvHashOffset, 0, true),
                survivable("System V hash chain loop", i -> i.sysvHashOffset + 8 + 4 * (3 + 1), 1, true),
                survivable("DT_STRSZ of 1: ld.so does not stop there", i -> i.dynamicEntry(ElfImage.DT_STRSZ) + 8, 1, true),
                survivable("DT_SYMENT of 7: ld.so uses its own entry size", i -> i.dynamicEntry(ElfImage.DT_SYMENT) + 8, 7, true),
                survivable("no DT_NULL: the zero fill ends the section",
                        i -> i.dynamicOffset + (i.dynamicEntries - 1) * 16, 0x7000_0001, true));
    }

    private static Object[] survivable(String what, Function<ElfImage, Integer> field, int value, boolean sysv) {
        // one hash table each: ld.so would use DT_GNU_HASH and never look at DT_HASH
        ElfImage image = client(sysv ? ElfImage.elf64().sysvHashed() : ElfImage.elf64().hashed().loadable());
        byte[] bytes = image.bytes();
        ByteBuffer b = buffer(bytes, image);
        b.putLong(0x28, 0);
        b.putInt(field.apply(image), value);
        return new Object[]{what, bytes};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("survivableCorruptions")
    void corruptTablesFallBackToWhatCanBeTrusted(String what, byte[] bytes) {
        ElfResult result = reader.read(bytes);
        assertEquals(ElfResult.Status.OK, result.status(), what + ": " + result);
        assertEquals(DEFINED, result.symbols(), what);
    }

    @Test
    void hashChainLongerThanAnyHonestOneIsWalkedInsteadOfProbedEntryByEntry() {
        ElfImage image = ElfImage.elf64().hashed().loadable();
        for (int i = 0; i < 5000; i++) {
            image.define("f" + i);
        }
        image.define("rmemInit", "rmemAlloc");
        byte[] bytes = image.bytes();
        ByteBuffer b = buffer(bytes, image);
        b.putLong(image.hashOffset + 16, -1L); // the bloom filter lets every name through
        int decoy = ElfSymbols.gnuHash("rmemShutDown".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) & ~1;
        for (int i = 0; i < 5000; i++) {
            b.putInt(image.chainOffset() + 4 * i, decoy); // 5000 entries whose hash matches, none the name
        }
        b.putInt(image.chainOffset() + 4 * 5001, 1); // rmemAlloc: out of the hash's reach, only a walk sees it
        ElfResult result = reader.read(bytes);
        assertEquals(List.of("rmemAlloc", "rmemInit"), result.symbols(), "the lookup gave up and walked: " + result);
        assertTrue(5000 > ElfReader.MAX_PROBES, "the chain is longer than the probe budget");
    }

    @Test
    void everyTruncationOfALoadableImageIsHandled() {
        for (ElfImage image : images().toList()) {
            byte[] full = image.bytes();
            int symbolsEnd = image.dynsymOffset + 6 * image.symSize(); // rmemShutDown is symbol 5
            for (int length = 0; length < full.length; length++) {
                ElfResult result = reader.read(Arrays.copyOf(full, length));
                assertNotNull(result);
                if (length < symbolsEnd) {
                    assertTrue(result.status() != ElfResult.Status.OK || result.symbols().size() < 2,
                            "a table cut short cannot show every symbol (length " + length + "): " + result);
                }
            }
        }
    }

    @Test
    void everySingleByteChangeOfTheProgramAndDynamicHeadersIsHandled() {
        ElfImage image = client(new ElfImage(false, ByteOrder.BIG_ENDIAN).hashed().sysvHashed());
        byte[] full = image.bytes();
        int[][] ranges = {{0, image.dynstrOffset}, {image.dynamicOffset, image.shoff}};
        for (int[] range : ranges) {
            for (int at = range[0]; at < range[1]; at++) {
                for (int value : new int[]{0x00, 0xff, 0x80, 0x01}) {
                    byte[] bytes = full.clone();
                    bytes[at] = (byte) value;
                    assertNotNull(reader.read(bytes));
                }
            }
        }
        assertNotEquals(0, full.length);
        assertFalse(reader.read(full).symbols().isEmpty());
    }

    private static ByteBuffer buffer(byte[] bytes, ElfImage image) {
        return ByteBuffer.wrap(bytes).order(image.order);
    }
}
