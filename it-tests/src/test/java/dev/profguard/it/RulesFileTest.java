package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rules file adds a profiler without code: here one that knows the stand-in by other symbols. */
class RulesFileTest {
    @TempDir
    Path dir;

    static Stream<Jdk> jdks() {
        return Jdk.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void extraRuleFindsALibraryTheBuiltinsDoNotName(Jdk jdk) throws Exception {
        Path rules = Files.writeString(dir.resolve("site.rules"),
                "[rule site-allocator-hook]\nprofiler = Site allocator hook\nsymbols = malloc free\nsymbols.min = 2\n");
        Run run = Jvm.on(jdk, dir).agentArgs("env=staging,rules=" + rules).preload("libcompress-helper.so").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("MTuner's client (rmem) and Site allocator hook found"), line);
    }
}
