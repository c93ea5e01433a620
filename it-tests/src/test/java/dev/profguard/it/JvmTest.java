package dev.profguard.it;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Base of tests that start JVMs: each test gets a fresh working directory for them. */
abstract class JvmTest {
    @TempDir
    Path dir;

    /** The client's capture files (*.MTuner) in the working directory. */
    List<Path> captureFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".MTuner")).toList();
        }
    }
}
