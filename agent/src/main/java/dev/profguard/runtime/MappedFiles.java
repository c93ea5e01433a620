package dev.profguard.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.profguard.detect.BoundedFiles;

/**
 * The files mapped into this process, by identity (device and inode as /proc/self/maps gives
 * them: the object mapped, whatever its path says now), with the path the kernel shows for each.
 * Every link-map namespace and every loader shows here, unlike in dl_iterate_phdr.
 */
final class MappedFiles {
    static final int LIMIT = 32 << 20;

    /** One mapped file: st_dev as stat(2) gives it, st_ino, its path now, whether any of it is executable. */
    record Mapping(long dev, long ino, String path, boolean executable) {
    }

    private MappedFiles() {
    }

    /** key "dev:ino" -> mapping; empty when /proc/self/maps cannot be read. */
    static Map<String, Mapping> read() {
        try {
            byte[] maps = BoundedFiles.read(Path.of("/proc/self/maps"), LIMIT);
            return parse(maps, Math.min(maps.length, LIMIT));
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    static String key(long dev, long ino) {
        return dev + ":" + ino;
    }

    /** Lines "start-end perms offset major:minor inode [path]"; malformed lines are skipped. */
    static Map<String, Mapping> parse(byte[] maps, int length) {
        Map<String, Mapping> mapped = new LinkedHashMap<>();
        int line = 0;
        while (line < length) {
            int end = line;
            while (end < length && maps[end] != '\n') {
                end++;
            }
            Mapping mapping = parseLine(maps, line, end);
            if (mapping != null) {
                String key = key(mapping.dev(), mapping.ino());
                Mapping known = mapped.get(key);
                if (known == null || !known.executable() && mapping.executable()) {
                    mapped.put(key, mapping);
                }
            }
            line = end + 1;
        }
        return mapped;
    }

    private static Mapping parseLine(byte[] maps, int start, int end) {
        int[] fields = new int[6]; // starts of: range, perms, offset, dev, inode, path
        int field = 0;
        int at = start;
        while (field < 6 && at < end) {
            while (at < end && maps[at] == ' ') {
                at++;
            }
            if (at >= end) {
                break;
            }
            fields[field++] = at;
            if (field == 6) {
                break;
            }
            while (at < end && maps[at] != ' ') {
                at++;
            }
        }
        if (field < 6) {
            return null; // anonymous, or malformed
        }
        long ino = number(maps, fields[4], 10);
        int colon = fields[3];
        while (colon < end && maps[colon] != ':') {
            colon++;
        }
        long major = number(maps, fields[3], 16);
        long minor = colon < end ? number(maps, colon + 1, 16) : -1;
        if (ino <= 0 || major < 0 || minor < 0 || maps[fields[5]] != '/') {
            return null;
        }
        boolean executable = fields[1] + 2 < end && maps[fields[1] + 2] == 'x';
        String path = new String(maps, fields[5], end - fields[5], StandardCharsets.UTF_8);
        if (path.endsWith(" (deleted)")) {
            path = path.substring(0, path.length() - " (deleted)".length());
        }
        // glibc's makedev: how stat(2) packs the two numbers into st_dev
        long dev = (minor & 0xff) | (major & 0xfff) << 8 | (minor & ~0xffL) << 12 | (major & ~0xfffL) << 32;
        return new Mapping(dev, ino, path, executable);
    }

    /** The digits at {@code at} up to a space or colon; -1 when there are none or too many. */
    private static long number(byte[] bytes, int at, int radix) {
        long value = 0;
        int digits = 0;
        for (int i = at; i < bytes.length && bytes[i] != ' ' && bytes[i] != ':' && bytes[i] != '\n'; i++) {
            int digit = Character.digit(bytes[i], radix);
            if (digit < 0 || ++digits > 16) {
                return -1;
            }
            value = value * radix + digit;
        }
        return digits == 0 ? -1 : value;
    }
}
