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
        assertEquals(1, rules.size());
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
        Files.writeString(file, "# another profiler\n[rule heaptrack]\nprofiler = heaptrack\n"
                + "symbols = heaptrack_init, heaptrack_stop\nsymbols.min = 1\nnames = libheaptrack_preload.so\n");
        RuleSet set = RuleSet.load(file);
        assertEquals(List.of("mtuner-client", "heaptrack"), set.rules().stream().map(Rule::id).toList());
        assertTrue(set.allSymbols().contains("heaptrack_stop"));
        assertEquals(1, set.rules().get(1).symbolsMin());
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
            "[rule a]\\nsymbols = f g\\nsymbols.min = 3  | x:1: rule 'a': symbols.min must be 1..2",
            "[rule a]\\nsymbols = f g\\nsymbols.min = x  | x:1: rule 'a': symbols.min must be 1..2",
            "[rule a]\\nsymbols = f 1bad                 | x:1: rule 'a': '1bad' is not a symbol name",
            "[rule a]\\nmarks = m\\nzero.fill = 1t       | x:1: rule 'a': zero.fill must be a size",
            "[rule a]\\nmarks = m\\nzero.fill = -1       | x:1: rule 'a': zero.fill must be a size",
            "[rule a]\\nmarks = m\\nzero.fill = 0        | x:1: rule 'a': zero.fill must be a size",
            "[rule a]\\nmarks = m\\nshutdown = a b       | x:1: rule 'a': shutdown must be one symbol name",
    })
    void malformedRulesNameTheLine(String text, String message) {
        RulesException e = assertThrows(RulesException.class, () -> RulesParser.parse(text.replace("\\n", "\n"), "x"));
        assertTrue(e.getMessage().startsWith(message.strip()), e.getMessage());
    }

    @Test
    void duplicateRuleIdsAreRejected() throws IOException {
        Path file = dir.resolve("dup.rules");
        Files.writeString(file, "[rule mtuner-client]\nnames = x\n");
        RulesException e = assertThrows(RulesException.class, () -> RuleSet.load(file));
        assertTrue(e.getMessage().contains("defined twice"));
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
        assertTrue(assertThrows(RulesException.class, () -> RuleSet.load(dir)).getMessage().contains("cannot read"));
    }
}
