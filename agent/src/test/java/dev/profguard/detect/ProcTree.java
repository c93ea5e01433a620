package dev.profguard.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A hand-made procfs directory for one process: real files, real symlinks under fd/. */
final class ProcTree {
    final Path dir;
    private int nextFd = 3;

    ProcTree(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        Files.createDirectories(dir.resolve("fd"));
        maps(Path.of(System.getProperty("java.home"), "lib", "modules").toString()); // a real, non-ELF file
        environ(Map.of());
        cmdline(List.of("java", "-cp", ".", "Main"));
    }

    ProcTree maps(String... objects) throws IOException {
        return mapsWith("r-xp", objects);
    }

    /** Maps each object once with the given permissions, e.g. "r--p" for a data mapping. */
    ProcTree mapsWith(String perms, String... objects) throws IOException {
        StringBuilder text = new StringBuilder("7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n");
        long address = 0x7f0000000000L;
        for (String object : objects) {
            text.append(Long.toHexString(address)).append('-').append(Long.toHexString(address + 0x1000))
                    .append(' ').append(perms).append(" 00000000 ").append(deviceAndInode(object)).append(' ').append(object)
                    .append('\n');
            address += 0x10000;
        }
        Files.writeString(dir.resolve("maps"), text);
        return this;
    }

    /** As the kernel's maps write them: the file's own device ("fd:01") and inode; "fd:01 1" when it is not there. */
    static String deviceAndInode(String object) {
        try {
            String name = object.endsWith(" (deleted)") ? object.substring(0, object.length() - 10) : object;
            Map<String, Object> status = Files.readAttributes(Path.of(name), "unix:dev,ino");
            long device = (Long) status.get("dev");
            long major = ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
            long minor = (device & 0xff) | ((device >>> 12) & ~0xffL);
            return String.format("%02x:%02x %d", major, minor, (Long) status.get("ino"));
        } catch (IOException | RuntimeException e) {
            return "fd:01 1";
        }
    }

    ProcTree environ(Map<String, String> env) throws IOException {
        StringBuilder text = new StringBuilder();
        env.forEach((k, v) -> text.append(k).append('=').append(v).append('\0'));
        Files.write(dir.resolve("environ"), text.toString().getBytes(StandardCharsets.UTF_8));
        return this;
    }

    ProcTree cmdline(List<String> args) throws IOException {
        Files.write(dir.resolve("cmdline"), (String.join("\0", args) + "\0").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    ProcTree openFile(Path target) throws IOException {
        Files.createSymbolicLink(dir.resolve("fd").resolve(Integer.toString(nextFd++)), target);
        return this;
    }

    ProcFs view() {
        return new ProcFs(dir, "process 4242", null);
    }
}
