package dev.profguard.detect;

import java.nio.file.Path;

/**
 * A file descriptor a process holds open.
 *
 * @param link   its /proc/PID/fd/N entry: the open file itself, whatever its name is now
 * @param target what the kernel says it is ("/path", "/path (deleted)", "pipe:[..]", "socket:[..]")
 */
public record OpenFile(Path link, String target) {
}
