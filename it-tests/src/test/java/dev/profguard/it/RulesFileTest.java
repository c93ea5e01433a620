package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rules file adds a profiler without code: here one that knows the stand-in by other symbols. */
class RulesFileTest extends JvmTest {


    @OnEachJdk
    void extraRuleFindsALibraryTheBuiltinsDoNotName(Jdk jdk) throws Exception {
        Path rules = Files.writeString(dir.resolve("site.rules"),
                "[rule site-allocator-hook]\nprofiler = Site allocator hook\nsymbols = malloc free\nsymbols.min = 2\n");
        Run run = Jvm.on(jdk, dir).agentArgs("env=staging,rules=" + rules).preload("libcompress-helper.so").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("MTuner's client (rmem) and Site allocator hook found"), line);
    }
}
