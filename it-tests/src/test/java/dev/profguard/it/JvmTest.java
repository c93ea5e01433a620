package dev.profguard.it;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Base of tests that start JVMs: each test gets a fresh working directory for them. */
abstract class JvmTest {
    @TempDir
    Path dir;
}
