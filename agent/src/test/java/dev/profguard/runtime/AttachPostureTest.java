package dev.profguard.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttachPostureTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                                                            | false",
            "-XX:+DisableAttachMechanism                                   | true",
            "-XX:+DisableAttachMechanism -XX:-DisableAttachMechanism       | false",
            "-XX:-DisableAttachMechanism -XX:+DisableAttachMechanism       | true",
            "-XX:+DisableAttachMechanismX                                  | false",
    })
    void theLastSettingWins(String flags, boolean closed) {
        List<String> tokens = flags.isEmpty() ? List.of() : Arrays.asList(flags.split(" "));
        assertEquals(closed, AttachPosture.last(tokens, "DisableAttachMechanism", false));
    }

    /** A process's launch flags: its command line (null: unreadable) and its JAVA_TOOL_OPTIONS. */
    private record Launch(Map<String, String> env, List<String> arguments) {
        String agentsOpen(int feature) {
            return AttachPosture.agentsOpen(env, arguments, feature);
        }

        String describe(int feature) {
            return AttachPosture.describe(env, arguments, feature);
        }
    }

    private static Launch launchedWith(List<String> arguments, String toolOptions) {
        return new Launch(toolOptions == null ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", toolOptions), arguments);
    }

    @Test
    void agentsClosedOnlyCountsFromJdk21() {
        Launch closedToAgents = launchedWith(List.of("java", "-XX:-EnableDynamicAgentLoading", "Main"), null);
        assertNull(closedToAgents.agentsOpen(21), "JDK 21+: agents closed, nothing to say");
        assertNull(closedToAgents.agentsOpen(25));
        assertTrue(closedToAgents.agentsOpen(17) != null, "JDK 17 has no such flag: still open");
        assertEquals("open for jcmd and jstack, closed to agents (-XX:-EnableDynamicAgentLoading)",
                closedToAgents.describe(25));
        assertEquals("open, agents can be loaded at run time", closedToAgents.describe(17));
    }

    @Test
    void disableAttachClosesEverythingFromAnySource() {
        Launch viaTool = launchedWith(List.of("java", "Main"), "-XX:+DisableAttachMechanism");
        assertNull(viaTool.agentsOpen(17));
        assertEquals("closed (-XX:+DisableAttachMechanism)", viaTool.describe(25));
        Launch reopened = launchedWith(List.of("java", "-XX:-DisableAttachMechanism", "Main"), "-XX:+DisableAttachMechanism");
        assertTrue(reopened.agentsOpen(25) != null, "the command line comes after JAVA_TOOL_OPTIONS");
        assertNull(launchedWith(null, null).agentsOpen(25), "flags unknown: no guess");
    }

    @Test
    void theAdviceFitsTheJdk() {
        assertTrue(AttachPosture.closeWith(17).startsWith("On JDK 17 only -XX:+DisableAttachMechanism closes it, and it also "
                + "stops jcmd, jstack and jmap"));
        assertTrue(AttachPosture.closeWith(21).startsWith("Close it with -XX:-EnableDynamicAgentLoading, which keeps jcmd"));
    }
}
