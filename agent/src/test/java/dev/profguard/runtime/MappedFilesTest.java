package dev.profguard.runtime;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The mapped-files reader: identities as stat(2) gives them, paths with spaces, deleted files, junk. */
class MappedFilesTest {
    private static Map<String, MappedFiles.Mapping> parse(String maps) {
        byte[] bytes = maps.getBytes(StandardCharsets.UTF_8);
        return MappedFiles.parse(bytes, bytes.length);
    }

    @Test
    void readsDeviceInodeAndPathOfEachMappedFile() {
        Map<String, MappedFiles.Mapping> mapped = parse("""
                7f0000000000-7f0000001000 r--p 00000000 103:02 1234 /opt/my lib/libx.so
                7f0000001000-7f0000002000 r-xp 00001000 103:02 1234 /opt/my lib/libx.so
                7f0000003000-7f0000004000 r-xp 00000000 00:1f 99 /tmp/gone.so (deleted)
                7f0000005000-7f0000006000 rw-p 00000000 00:00 0
                7ffd00000000-7ffd00001000 r--p 00000000 00:00 0                          [vvar]
                junk line
                """);
        assertEquals(2, mapped.size(), mapped.toString());
        long dev = 0x02 | 0x103 << 8; // glibc's makedev(0x103, 0x02)
        assertEquals(new MappedFiles.Mapping(dev, 1234, "/opt/my lib/libx.so", true), mapped.get(MappedFiles.key(dev, 1234)),
                "executable when any of its mappings is");
        MappedFiles.Mapping gone = mapped.get(MappedFiles.key(0x1f, 99));
        assertEquals("/tmp/gone.so", gone.path(), "named as it was mapped");
    }

    @Test
    void thisProcessesMappingsMatchWhatStatSaysOfTheFiles() throws Exception {
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so").toRealPath();
        LoadGate.Identity stat = LoadGate.identity(libjvm);
        MappedFiles.Mapping mapping = MappedFiles.read().get(MappedFiles.key(stat.dev(), stat.ino()));
        assertEquals(libjvm.toString(), mapping.path());
        assertTrue(mapping.executable());
        assertFalse(Files.isSymbolicLink(libjvm));
    }

    @Test
    void malformedLinesAreSkippedNeverThrown() {
        byte[] original = ("7f0000001000-7f0000002000 r-xp 00001000 fd:01 4242 /usr/lib/libx.so\n"
                + "7f0000003000-7f0000004000 r-xp 00000000 08:01 77 /lib/liby.so\n").getBytes(StandardCharsets.UTF_8);
        Random random = new Random(3);
        for (int i = 0; i < 20000; i++) {
            byte[] mutated = Arrays.copyOf(original, random.nextInt(original.length + 1));
            for (int flips = random.nextInt(4); flips > 0 && mutated.length > 0; flips--) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            try {
                assertTrue(MappedFiles.parse(mutated, mutated.length).size() <= 2);
            } catch (Throwable t) {
                fail("mutation " + i + ": " + t, t);
            }
        }
    }
}
