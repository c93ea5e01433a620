package dev.profguard.it;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** promtool over an alerting rules file of packaging/: {@code check rules}, then {@code test rules}. */
final class Promtool {
    private Promtool() {
    }

    /**
     * Asserts that {@code rules} is valid and that the unit tests pass.
     *
     * @param tests the lines under {@code tests:} (input series and alert tests, indented), one a line
     */
    static void assertRulesPass(Path dir, Path rules, String... tests) throws Exception {
        assertEquals(0, AgentCommand.shell(dir, "promtool check rules \"$1\"", rules.toString()), "promtool check rules " + rules);
        String test = String.join("\n", "rule_files:", "  - " + rules, "evaluation_interval: 1m", "tests:",
                String.join("\n", tests), "");
        Path file = Files.writeString(dir.resolve(rules.getFileName() + "-test.yaml"), test);
        assertEquals(0, AgentCommand.shell(dir, "promtool test rules \"$1\"", file.toString()), test);
    }
}
