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

    @OnEachJdk
    void aUserRuleRefusesWhatABuiltinOnlyWarnsAboutAndSwitchesAnotherOff(Jdk jdk) throws Exception {
        // The site refuses async-profiler in production and accepts NMT in detail mode.
        Path rules = Files.writeString(dir.resolve("site.rules"), "[rule async-profiler]\nprofiler = async-profiler\n"
                + "libraries = libasyncProfiler.so*\nstrength = refuse\n\n[rule nmt-detail]\nenabled = false\n");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,rules=" + rules)
                .option("-agentpath:" + OtherProfilersTest.asyncProfiler(dir)).option("-XX:NativeMemoryTracking=detail").run();
        assertEquals(78, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: ERROR async-profiler found in this JVM"), line);
        assertTrue(!line.contains("Native Memory Tracking"), line);
    }

    @OnEachJdk
    void aMalformedRulesFileNamesTheLineAndExits64(Jdk jdk) throws Exception {
        Path rules = Files.writeString(dir.resolve("site.rules"), "[rule mine]\nlibraries = libmine.so\nstrength = deny\n");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,rules=" + rules).run();
        assertEquals(64, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains(rules + ":3: rule 'mine': strength must be refuse or warn"), line);
    }
}
