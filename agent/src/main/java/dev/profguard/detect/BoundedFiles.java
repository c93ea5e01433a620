package dev.profguard.detect;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Reads of files whose size cannot be trusted (procfs reports 0; others may be huge). */
public final class BoundedFiles {
    private BoundedFiles() {
    }

    /** At most {@code limit} bytes; the array is {@code limit + 1} long when the file is larger. */
    public static byte[] read(Path file, int limit) throws IOException {
        // java.io rather than Files.newInputStream: its classes are loaded already at premain.
        try (InputStream in = new FileInputStream(file.toFile())) {
            return in.readNBytes(limit + 1);
        }
    }

    /**
     * Like {@link #read}, but only a regular file is opened: a FIFO, device, socket or directory
     * named where a file is expected (an argument file, a rules file) is never read, since reading
     * one could wait forever. The check is a stat just before the open.
     */
    public static byte[] readRegular(Path file, int limit) throws IOException {
        String problem = notRegular(file);
        if (problem != null) {
            throw new IOException(file + " is " + problem + "; not read");
        }
        return read(file, limit);
    }

    /** Null for a regular file (after links); else what it is, e.g. "a FIFO"; "missing" when it cannot be stat'ed. */
    public static String notRegular(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException | SecurityException e) {
            return "missing or unreadable";
        }
        if (attributes.isRegularFile()) {
            return null;
        }
        return attributes.isDirectory() ? "a directory" : "not a regular file (a FIFO, device or socket)";
    }

    /** "AccessDeniedException /proc/1/environ" style text for messages. */
    public static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }
}
