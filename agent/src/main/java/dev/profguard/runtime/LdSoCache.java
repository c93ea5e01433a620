package dev.profguard.runtime;

import dev.profguard.config.Config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks a library name up in /etc/ld.so.cache as glibc's dynamic linker does, from the bytes of
 * the file: the new format ("glibc-ld.so.cache1.1", written alone since glibc 2.32), also when it
 * follows the old one ("ld.so-1.7.0"). Layout from glibc's sysdeps/generic/dl-cache.h. Every
 * offset and count is checked against the bytes read; malformed input gives no entries, never an
 * exception.
 */
final class LdSoCache {
    static final int LIMIT = 16 << 20;
    private static final byte[] OLD_MAGIC = "ld.so-1.7.0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEW_MAGIC = "glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII);
    private static final int NEW_HEADER = 48;      // magic+version 20, nlibs, len_strings, flags+3, extension, 3 unused
    private static final int NEW_ENTRY = 24;       // flags, key, value, osversion, hwcap (u64)
    private static final int FLAG_ELF_LIBC6 = 0x0003;

    private LdSoCache() {
    }

    /**
     * The paths the cache gives for {@code name} (a file name such as libz.so.1), in the cache's
     * order, every hwcap variant included, for this machine's architecture.
     *
     * @param length how many bytes of {@code cache} are valid
     */
    static List<String> lookup(byte[] cache, int length, String name) {
        List<String> paths = new ArrayList<>();
        try {
            int start = newFormatStart(cache, length);
            if (start < 0) {
                return paths;
            }
            long count = u32(cache, start + 20);
            if (count > (length - start - NEW_HEADER) / NEW_ENTRY) {
                return paths; // more entries than the file holds
            }
            byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
            int architecture = architectureFlags();
            for (int i = 0; i < count; i++) {
                int entry = start + NEW_HEADER + i * NEW_ENTRY;
                int flags = (int) u32(cache, entry);
                if ((flags & 0xff) != FLAG_ELF_LIBC6 || architecture >= 0 && (flags & 0xff00) != architecture) {
                    continue;
                }
                long key = start + u32(cache, entry + 4);
                long value = start + u32(cache, entry + 8);
                if (equalsAt(cache, length, key, wanted)) {
                    String path = stringAt(cache, length, value);
                    if (path != null && path.startsWith("/")) {
                        paths.add(path);
                    }
                }
            }
        } catch (RuntimeException e) {
            paths.clear(); // an offset we did not foresee: no answer rather than a wrong one
        }
        return paths;
    }

    /** Where the new-format header starts, or -1. */
    private static int newFormatStart(byte[] cache, int length) {
        if (startsWith(cache, length, 0, NEW_MAGIC)) {
            return 0;
        }
        if (!startsWith(cache, length, 0, OLD_MAGIC) || length < 16) {
            return -1;
        }
        long oldCount = u32(cache, 12);
        long after = 16 + oldCount * 12;
        long aligned = (after + 7) & ~7L;
        if (aligned > length - NEW_HEADER || !startsWith(cache, length, (int) aligned, NEW_MAGIC)) {
            return -1;
        }
        return (int) aligned;
    }

    /** FLAG_X8664_LIB64 or FLAG_AARCH64_LIB64 in the required-mask bits; -1: accept any. */
    private static int architectureFlags() {
        String arch = Config.jvmProperty("os.arch", "");
        return switch (arch) {
            case "amd64", "x86_64" -> 0x0300;
            case "aarch64" -> 0x0a00;
            default -> -1;
        };
    }

    private static boolean startsWith(byte[] bytes, int length, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsAt(byte[] bytes, int length, long at, byte[] wanted) {
        if (at < 0 || at + wanted.length >= length) {
            return false;
        }
        int offset = (int) at;
        for (int i = 0; i < wanted.length; i++) {
            if (bytes[offset + i] != wanted[i]) {
                return false;
            }
        }
        return bytes[offset + wanted.length] == 0;
    }

    /** The NUL-terminated string at {@code at} (at most 4096 bytes), or null. */
    private static String stringAt(byte[] bytes, int length, long at) {
        if (at < 0 || at >= length) {
            return null;
        }
        int start = (int) at;
        int end = start;
        while (end < length && end - start < 4096 && bytes[end] != 0) {
            end++;
        }
        return end < length && bytes[end] == 0 ? new String(bytes, start, end - start, StandardCharsets.UTF_8) : null;
    }

    private static long u32(byte[] bytes, int at) {
        if (at < 0 || at + 4 > bytes.length) {
            throw new IndexOutOfBoundsException(at);
        }
        return (bytes[at] & 0xffL) | (bytes[at + 1] & 0xffL) << 8 | (bytes[at + 2] & 0xffL) << 16
                | (bytes[at + 3] & 0xffL) << 24; // little-endian, as on x86-64 and aarch64
    }
}
