package dev.profguard.runtime;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Where dlopen looks for a bare name: the JDK's RPATH chain, then LD_LIBRARY_PATH as at start. */
class LinkerSearchTest {
    @Test
    void readsAVariableFromTheStartUpEnvironmentBlock() {
        byte[] environ = "A=1\0LD_LIBRARY_PATH=/x:/y\0LD_LIBRARY_PATH=/second\0LD_LIBRARY_PATHX=no\0"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals("/x:/y", LinkerSearch.variable(environ, environ.length, "LD_LIBRARY_PATH"), "the first wins");
        assertNull(LinkerSearch.variable(environ, environ.length, "LD_LIBRARY"));
        assertNull(LinkerSearch.variable(environ, 10, "LD_LIBRARY_PATH"), "nothing beyond the bytes read");
    }

    @Test
    void anEmptyElementIsTheWorkingDirectoryAndTheJdksOwnDirectoriesComeFirst() {
        List<String> dirs = LinkerSearch.directories("/jdk", "/a::/b;");
        assertEquals(List.of("/jdk/lib/server", "/jdk/lib/server/../lib", "/jdk/lib", "/a", "", "/b", ""), dirs);
    }
}
