package dev.profguard.detect;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

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

    /** "AccessDeniedException /proc/1/environ" style text for messages. */
    public static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }
}
