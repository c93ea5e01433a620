package dev.profguard.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesParserTest {
    @TempDir
    Path dir;

    @Test
    void builtinRulesDescribeMTunersClient() {
        List<Rule> rules = RuleSet.builtin();
        Rule mtuner = rules.get(0);
        assertEquals("mtuner-client", mtuner.id());
        assertTrue(mtuner.profiler().contains("MTuner"));
        assertTrue(mtuner.symbols().containsAll(List.of("rmemInit", "rmemShutDown", "rmemAlloc", "rmemFree",
                "rmemRemoveModuleW", "rmemUnhookAllocs")), "continuation lines are read: " + mtuner.symbols());
        assertEquals(2, mtuner.symbolsMin());
        assertTrue(mtuner.matchesName("libMTuner.so"));
        assertTrue(mtuner.matchesName("MTunerDLL64.dll"));
        assertTrue(mtuner.matchesName("librmem.so"));
        assertFalse(mtuner.matchesName("libjvm.so"));
        assertTrue(mtuner.matchesCaptureFile("mtuner_capture_.2026.11.23.6.3.44.MTuner"));
        assertFalse(mtuner.matchesCaptureFile("report.txt"));
        assertEquals(List.of("MTuner_Allocator"), mtuner.variables());
        assertEquals("rmemShutDown", mtuner.shutdown());
        assertEquals(List.of("mtuner_capture_", ".MTuner"), mtuner.marks());
        assertEquals(1L << 30, mtuner.zeroFill());
    }

    @Test
    void sizesShutdownAndMarksParse() throws RulesException {
        Rule rule = RulesParser.parse("[rule a]\nmarks = one, two\nshutdown = a_stop\nzero.fill = 512m\n", "x").get(0);
        assertEquals(List.of("one", "two"), rule.marks());
        assertEquals("a_stop", rule.shutdown());
        assertEquals(512L << 20, rule.zeroFill());
        assertEquals(2048, RulesParser.parse("[rule a]\nmarks = m\nzero.fill = 2k\n", "x").get(0).zeroFill());
        assertEquals(0, RulesParser.parse("[rule a]\nmarks = m\n", "x").get(0).zeroFill());
    }

    @Test
    void extraRulesFileAddsARule() throws Exception {
        Path file = dir.resolve("extra.rules");
        Files.writeString(file, "# another profiler\n[rule in-house]\nprofiler = in-house tracer\n"
                + "symbols = ih_init, ih_stop\nsymbols.min = 1\nnames = libih.so\n");
        RuleSet set = RuleSet.load(file);
        List<String> ids = set.rules().stream().map(Rule::id).toList();
        assertEquals(RuleSet.builtin().size() + 1, ids.size());
        assertEquals("in-house", ids.get(ids.size() - 1));
        assertTrue(set.allSymbols().contains("ih_stop"));
        assertEquals(1, set.byId("in-house").symbolsMin());
        assertTrue(set.byId("in-house").refuses(), "strength refuse by default");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "symbols = a b                              | x:1: key outside a '[rule <id>]' section",
            "[rule a]\\nsymbol = rmemInit                | x:2: unknown key 'symbol'",
            "[rule a]\\nnames = a\\nnames = b            | x:3: key 'names' given twice",
            "[rule a b]\\nnames = a                      | x:1: rule id must be",
            "[rules a]                                  | x:1: expected '[rule <id>]'",
            "[rule a]\\nnames                            | x:2: expected 'key = value'",
            "[rule a]\\nprofiler = A                     | x:1: rule 'a' looks for nothing",
            "[rule a]\\nsymbols = f g\\nsymbols.min = 3  | x:3: rule 'a': symbols.min must be 1..2",
            "[rule a]\\nsymbols = f g\\nsymbols.min = x  | x:3: rule 'a': symbols.min must be 1..2",
            "[rule a]\\nsymbols = f 1bad                 | x:2: rule 'a': '1bad' is not a symbol name",
            "[rule a]\\nmarks = m\\nzero.fill = 1t       | x:3: rule 'a': zero.fill must be a size",
            "[rule a]\\nmarks = m\\nzero.fill = -1       | x:3: rule 'a': zero.fill must be a size",
            "[rule a]\\nmarks = m\\nzero.fill = 0        | x:3: rule 'a': zero.fill must be a size",
            "[rule a]\\nmarks = m\\nshutdown = a b       | x:3: rule 'a': shutdown must be one symbol name",
            "[rule a]\\nnames = x\\n\\ncapture.header = 0g | x:4: rule 'a': capture.header takes hex byte strings",
            "[rule a]\\nnames = x\\ncapture.header = 00 | x:3: rule 'a': capture.header takes hex byte strings",
            "[rule a]\\nnames = x\\nstrength = deny     | x:3: rule 'a': strength must be refuse or warn",
            "[rule a]\\nnames = x\\nenabled = no        | x:3: rule 'a': enabled must be true or false",
            "[rule a]\\nenabled = false\\nnames = x     | x:1: rule 'a': a rule with enabled = false",
            "[rule a]\\nvariables.match = FOO        | x:2: rule 'a': variables.match takes NAME=GLOB",
            "[rule a]\\nvariables.match = =x         | x:2: rule 'a': variables.match takes NAME=GLOB",
            "[rule a]\\nvariables.match = 1A=x       | x:2: rule 'a': variables.match takes NAME=GLOB",
            "[rule a]\\nnames = x\\nrequires = liba.so  | x:3: rule 'a': requires qualifies variables.match",
            "[rule a]\\narguments = *                | x:2: rule 'a': '*' is not an argument pattern",
    })
    void malformedRulesNameTheLine(String text, String message) {
        RulesException e = assertThrows(RulesException.class, () -> RulesParser.parse(text.replace("\\n", "\n"), "x"));
        assertTrue(e.getMessage().startsWith(message.strip()), e.getMessage());
    }

    @Test
    void theReadmeExampleIsAcceptedAsWritten() throws Exception {
        // The README's rules-file example, trailing comments and all.
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("README.md"));
        int start = readme.indexOf("[rule in-house-tracer]");
        int end = readme.indexOf("```", start);
        List<Rule> rules = RulesParser.parse(readme.substring(start, end), "README");
        assertEquals(3, rules.size());
        Rule rule = rules.get(0);
        assertEquals(List.of("iht_init", "iht_stop"), rule.symbols());
        assertEquals(List.of("*iht*"), rule.names());
        assertEquals(List.of("libiht_preload.so*"), rule.libraries());
        assertEquals(List.of("IHT_MODE=*record*"), rule.settings());
        assertEquals(List.of("libiht.so*"), rule.requires());
        assertEquals(List.of("-agentlib:iht=*record*"), rule.arguments());
        assertTrue(rule.refuses());
        assertFalse(rules.get(1).enabled());
        assertTrue(rules.get(2).refuses());
        assertEquals(List.of("iht-attach"), rule.tracers());
        assertEquals(List.of("malloc", "free"), rule.slots());
    }

    @Test
    void aHashAfterWhiteSpaceStartsAComment() throws Exception {
        Rule rule = RulesParser.parse("[rule a]  # header\nmarks = x#y  # two\n  z # three\n", "x").get(0);
        assertEquals(List.of("x#y", "z"), rule.marks());
    }

    /** What a clean start hands on (null) is one rule set for the gate and every look of the watcher, parsed once. */
    @Test
    void theBuiltInRulesAfterACleanStartAreOneSetParsedOnce() throws Exception {
        RuleSet first = RuleSet.orBuiltIn(null);
        assertTrue(first == RuleSet.orBuiltIn(null), "one instance");
        assertTrue(first.rules() == RuleSet.orBuiltIn(null).rules(), "parsed once");
        assertEquals(RuleSet.builtin().size(), first.rules().size());
        RuleSet own = RuleSet.load(null);
        assertTrue(own == RuleSet.orBuiltIn(own), "a rule set given is the one used");
    }

    @Test
    void captureHeadersMatchTheFirstBytes() throws Exception {
        Rule mtuner = RuleSet.load(null).byId("mtuner-client");
        byte[] gcc = {0x00, 0x40, 0x01, 0x02, 0x02, 0x40, 0x42};
        byte[] clang = {0x00, 0x40, 0x01, 0x02, 0x03};
        byte[] other = {0x00, 0x40, 0x01, 0x02, 0x04};
        assertTrue(mtuner.matchesCaptureHeader(gcc, gcc.length));
        assertTrue(mtuner.matchesCaptureHeader(clang, clang.length));
        assertTrue(!mtuner.matchesCaptureHeader(other, other.length));
        assertTrue(!mtuner.matchesCaptureHeader(gcc, 4), "too short to tell");
    }

    @Test
    void aFifoNamedAsRulesFileIsNeverOpened() throws Exception {
        Path fifo = dir.resolve("rules.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        RulesException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> assertThrows(RulesException.class, () -> RuleSet.load(fifo)));
        assertTrue(e.getMessage().contains("is not a regular file"), e.getMessage());
    }

    @Test
    void duplicateRuleIdsInOneFileAreRejected() throws IOException {
        Path file = dir.resolve("dup.rules");
        Files.writeString(file, "[rule mine]\nnames = x\n[rule mine]\nnames = y\n");
        RulesException e = assertThrows(RulesException.class, () -> RuleSet.load(file));
        assertTrue(e.getMessage().contains("defined twice"), e.getMessage());
    }

    @Test
    void aUserRuleOverridesOrSwitchesOffABuiltinOneById() throws Exception {
        Path file = dir.resolve("override.rules");
        Files.writeString(file, "[rule async-profiler]\nnames = libasyncProfiler.so*\nstrength = refuse\n"
                + "[rule nmt-detail]\nenabled = false\n");
        RuleSet set = RuleSet.load(file);
        assertTrue(set.byId("async-profiler").refuses(), "the user's rule replaced the built-in one");
        assertTrue(set.byId("async-profiler").symbols().isEmpty(), "replaced whole, not merged");
        assertEquals(null, set.byId("nmt-detail"), "switched off");
        assertEquals(RuleSet.builtin().size() - 1, set.rules().size());
        Files.writeString(file, "[rule no-such-builtin]\nenabled = false\n");
        RulesException e = assertThrows(RulesException.class, () -> RuleSet.load(file));
        assertTrue(e.getMessage().contains("no built-in rule 'no-such-builtin'"), e.getMessage());
    }

    @Test
    void builtinRulesCoverTheOtherProfilersWithTheirStrengths() {
        RuleSet set = new RuleSet(RuleSet.builtin());
        for (String refused : List.of("mtuner-client", "heaptrack", "gperftools-heap", "glibc-memusage", "bytehound",
                "valgrind", "jdwp-server", "heap-hook")) {
            assertTrue(set.byId(refused).refuses(), refused);
        }
        for (String warned : List.of("jemalloc-prof", "gperftools-cpu", "glibc-malloc-debug", "sanitizer-runtime",
                "async-profiler", "nmt-detail", "ptrace-tracer")) {
            assertFalse(set.byId(warned).refuses(), warned);
        }
        Rule jemalloc = set.byId("jemalloc-prof");
        assertEquals("MALLOC_CONF=*prof:true*", jemalloc.matchingSetting("MALLOC_CONF", "background_thread:true,prof:true"));
        assertEquals(null, jemalloc.matchingSetting("MALLOC_CONF", "prof:false"));
        assertEquals(null, jemalloc.matchingSetting("MALLOC_CONF", "background_thread:true"));
        assertEquals(List.of("opt.prof"), jemalloc.mallctl());
        Rule jdwp = set.byId("jdwp-server");
        assertTrue(jdwp.matchingArgument("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005") != null);
        assertEquals(null, jdwp.matchingArgument("-agentlib:jdwp=transport=dt_socket,server=n,address=host:5005"));
        assertTrue(set.byId("nmt-detail").matchingArgument("-XX:NativeMemoryTracking=detail") != null);
        assertEquals(null, set.byId("nmt-detail").matchingArgument("-XX:NativeMemoryTracking=summary"));
        assertTrue(set.byId("gperftools-heap").isRequired("libtcmalloc.so.4"));
        assertFalse(set.byId("gperftools-heap").isRequired("libtcmalloc_minimal.so.4"));
        assertTrue(set.byId("valgrind").isLibrary("vgpreload_memcheck-amd64-linux.so"));
    }

    @Test
    void unreadableOversizedAndBinaryFilesAreRejected() throws IOException {
        assertTrue(assertThrows(RulesException.class, () -> RuleSet.load(dir.resolve("absent.rules")))
                .getMessage().contains("cannot read rules file"));
        Path big = dir.resolve("big.rules");
        Files.write(big, new byte[RulesParser.MAX_BYTES + 1]);
        assertTrue(assertThrows(RulesException.class, () -> RuleSet.load(big)).getMessage().contains("larger than"));
        Path binary = dir.resolve("bin.rules");
        Files.write(binary, new byte[]{(byte) 0xff, (byte) 0xfe, 0x00});
        assertTrue(assertThrows(RulesException.class, () -> RuleSet.load(binary)).getMessage().contains("not UTF-8"));
        assertTrue(assertThrows(RulesException.class, () -> RuleSet.load(dir)).getMessage().contains("not a regular file"));
    }
}
