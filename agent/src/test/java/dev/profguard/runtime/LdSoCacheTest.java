package dev.profguard.runtime;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The ld.so.cache reader on hand-made caches, on this machine's cache, and on malformed bytes. */
class LdSoCacheTest {
    private static final int X86_64_LIBC6 = 0x0303;

    /** A new-format cache ("glibc-ld.so.cache1.1") of (flags, key, value) entries, optionally after an old header. */
    static byte[] cache(boolean oldFirst, Object[]... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (oldFirst) {
            out.writeBytes("ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII));
            out.write(0);
            le(out, 0, 4);                                   // no old entries: 16 bytes, already 8-aligned
        }
        int start = out.size();
        out.writeBytes("glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII));
        le(out, entries.length, 4);
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        int stringsAt = 48 + 24 * entries.length;
        int[][] offsets = new int[entries.length][2];
        for (int i = 0; i < entries.length; i++) {
            for (int j = 0; j < 2; j++) {
                offsets[i][j] = stringsAt + strings.size();
                strings.writeBytes(((String) entries[i][j + 1]).getBytes(StandardCharsets.UTF_8));
                strings.write(0);
            }
        }
        le(out, strings.size(), 4);
        le(out, 0, 4);                                       // flags, padding
        le(out, 0, 4);                                       // no extension
        le(out, 0, 12);
        for (int i = 0; i < entries.length; i++) {
            le(out, (Integer) entries[i][0], 4);
            le(out, offsets[i][0], 4);
            le(out, offsets[i][1], 4);
            le(out, 0, 4);
            le(out, 0, 8);
        }
        out.writeBytes(strings.toByteArray());
        assertEquals(start + stringsAt + strings.size(), out.size());
        return out.toByteArray();
    }

    private static void le(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write(i < 8 ? (int) (value >>> (8 * i)) : 0);
        }
    }

    private static List<String> lookup(byte[] cache, String name) {
        return LdSoCache.lookup(cache, cache.length, name);
    }

    @Test
    void findsEveryEntryOfThatNameForThisArchitecture() {
        byte[] cache = cache(false, new Object[]{X86_64_LIBC6, "libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1"},
                new Object[]{X86_64_LIBC6, "libzz.so", "/opt/libzz.so"},
                new Object[]{0x0003, "libz.so.1", "/lib32/libz.so.1"},                     // 32-bit: not for us
                new Object[]{X86_64_LIBC6, "libz.so.1", "/opt/glibc-hwcaps/x86-64-v3/libz.so.1"},
                new Object[]{X86_64_LIBC6, "libz.so", "relative/libz.so"});                // not a path
        assertEquals(List.of("/usr/lib/x86_64-linux-gnu/libz.so.1", "/opt/glibc-hwcaps/x86-64-v3/libz.so.1"),
                lookup(cache, "libz.so.1"));
        assertEquals(List.of(), lookup(cache, "libz.so"));
        assertEquals(List.of(), lookup(cache, "libz"));
    }

    @Test
    void readsTheNewFormatAfterTheOldOne() {
        byte[] cache = cache(true, new Object[]{X86_64_LIBC6, "libx.so", "/opt/libx.so"});
        assertEquals(List.of("/opt/libx.so"), lookup(cache, "libx.so"),
                "string offsets count from the new format's header (glibc's dl-cache.c: cache_data = cache_new)");
    }

    @Test
    void findsTheCLibraryInThisMachinesCache() throws Exception {
        Path file = Path.of("/etc/ld.so.cache");
        if (!Files.isRegularFile(file) || !"amd64".equals(System.getProperty("os.arch"))) {
            return; // nothing to compare with
        }
        byte[] cache = Files.readAllBytes(file);
        List<String> paths = lookup(cache, "libc.so.6");
        assertTrue(!paths.isEmpty() && paths.stream().allMatch(p -> p.endsWith("/libc.so.6")), paths.toString());
        assertTrue(paths.stream().anyMatch(p -> Files.isRegularFile(Path.of(p))), paths.toString());
    }

    @Test
    void malformedCachesGiveNoEntriesNeverAnException() {
        byte[] original = cache(false, new Object[]{X86_64_LIBC6, "libz.so.1", "/usr/lib/libz.so.1"},
                new Object[]{X86_64_LIBC6, "libm.so.6", "/usr/lib/libm.so.6"});
        for (int length = 0; length <= original.length; length++) {
            byte[] truncated = Arrays.copyOf(original, length);
            expectNoException(truncated, "truncated to " + length);
        }
        Random random = new Random(11);
        for (int i = 0; i < 20000; i++) {
            byte[] mutated = original.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            expectNoException(mutated, "mutation " + i);
        }
        byte[] huge = original.clone();
        huge[20] = (byte) 0xff; // nlibs far beyond the file
        huge[23] = (byte) 0x7f;
        assertEquals(List.of(), lookup(huge, "libz.so.1"));
    }

    private static void expectNoException(byte[] cache, String what) {
        try {
            List<String> paths = lookup(cache, "libz.so.1");
            assertTrue(paths.size() <= 2, what);
        } catch (Throwable t) {
            fail(what + ": " + t, t);
        }
    }
}
