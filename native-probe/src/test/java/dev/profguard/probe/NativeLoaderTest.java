package dev.profguard.probe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The private directory the probe library is extracted into: made with mkdir, then chmod 0700, found empty. */
class NativeLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void theDirectoryIsOwnerOnlyEmptyAndNewEachTime() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx")); // a /tmp-like parent
        Path first = NativeLoader.privateDirectory(tmp);
        Path second = NativeLoader.privateDirectory(tmp);
        assertNotEquals(first, second);
        for (Path dir : new Path[]{first, second}) {
            assertEquals(tmp, dir.getParent());
            assertTrue(dir.getFileName().toString().matches("profguard-[0-9a-f]{32}"), dir.toString());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            try (var entries = Files.list(dir)) {
                assertEquals(0, entries.count());
            }
        }
    }

    @Test
    void aMissingPlaceSaysSo() {
        IOException e = assertThrows(IOException.class, () -> NativeLoader.privateDirectory(tmp.resolve("gone")));
        assertEquals(tmp.resolve("gone") + ": no such directory", e.getMessage());
    }

    @Test
    void aFileWhereADirectoryIsExpectedSaysSo() throws IOException {
        Path file = Files.createFile(tmp.resolve("a-file"));
        IOException e = assertThrows(IOException.class, () -> NativeLoader.privateDirectory(file));
        assertEquals(file + ": no such directory", e.getMessage());
    }
}
