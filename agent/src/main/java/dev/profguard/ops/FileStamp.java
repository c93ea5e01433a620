package dev.profguard.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A file's identity for what {@code check --all} keeps between rounds: device, inode, size, mode
 * and change time. Not its modification time, which anyone who may write the file sets at will
 * ({@code touch -d}); the change time only the kernel sets, to its own clock, on every write,
 * rename, chmod or link count change. That clock moves in ticks, so a stamp changed in the last two
 * seconds is fresh, and a fresh stamp is never taken as "unchanged".
 */
final class FileStamp {
    private static final String FRESH = " fresh";
    private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(2);

    private FileStamp() {
    }

    /** The stamp of what {@code file} leads to (links followed, as open follows them), or null when it cannot be stat'ed. */
    static String of(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,ctime,mode");
            long changed = ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS);
            long now = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
            return a.get("dev") + ":" + a.get("ino") + ":" + a.get("size") + ":" + a.get("mode") + ":" + changed
                    + (now - changed < FRESH_NANOS ? FRESH : "");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether a stamp (or a fingerprint holding stamps) is too recent to stand for "unchanged". */
    static boolean fresh(String stamp) {
        return stamp != null && stamp.contains(FRESH);
    }
}
