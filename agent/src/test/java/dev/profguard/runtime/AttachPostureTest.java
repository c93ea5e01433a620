package dev.profguard.runtime;

import dev.profguard.detect.MappedObject;
import dev.profguard.detect.ProcessView;
import dev.profguard.detect.Readout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
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

    /** A process with these launch flags (command line and JAVA_TOOL_OPTIONS) and nothing else. */
    private static ProcessView launchedWith(List<String> arguments, String toolOptions) {
        return new ProcessView() {
            @Override
            public String name() {
                return "this JVM";
            }

            @Override
            public Readout<List<MappedObject>> mappedObjects() {
                return Readout.of(List.of());
            }

            @Override
            public Readout<Map<String, String>> environment() {
                return Readout.of(toolOptions == null ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", toolOptions));
            }

            @Override
            public Readout<List<dev.profguard.detect.OpenFile>> openFiles() {
                return Readout.of(List.of());
            }

            @Override
            public Readout<List<String>> arguments() {
                return arguments == null ? Readout.failed("unreadable") : Readout.of(arguments);
            }

            @Override
            public Path workingDirectory() {
                return Path.of("/");
            }

            @Override
            public Path contentOf(MappedObject object) {
                return null;
            }
        };
    }

    @Test
    void agentsClosedOnlyCountsFromJdk21() {
        ProcessView closedToAgents = launchedWith(List.of("java", "-XX:-EnableDynamicAgentLoading", "Main"), null);
        assertNull(AttachPosture.agentsOpen(closedToAgents, 21), "JDK 21+: agents closed, nothing to say");
        assertNull(AttachPosture.agentsOpen(closedToAgents, 25));
        assertTrue(AttachPosture.agentsOpen(closedToAgents, 17) != null, "JDK 17 has no such flag: still open");
        assertEquals("open for jcmd and jstack, closed to agents (-XX:-EnableDynamicAgentLoading)",
                AttachPosture.describe(closedToAgents, 25));
        assertEquals("open, agents can be loaded at run time", AttachPosture.describe(closedToAgents, 17));
    }

    @Test
    void disableAttachClosesEverythingFromAnySource() {
        ProcessView viaTool = launchedWith(List.of("java", "Main"), "-XX:+DisableAttachMechanism");
        assertNull(AttachPosture.agentsOpen(viaTool, 17));
        assertEquals("closed (-XX:+DisableAttachMechanism)", AttachPosture.describe(viaTool, 25));
        ProcessView reopened = launchedWith(List.of("java", "-XX:-DisableAttachMechanism", "Main"), "-XX:+DisableAttachMechanism");
        assertTrue(AttachPosture.agentsOpen(reopened, 25) != null, "the command line comes after JAVA_TOOL_OPTIONS");
        assertNull(AttachPosture.agentsOpen(launchedWith(null, null), 25), "flags unknown: no guess");
    }

    @Test
    void theAdviceFitsTheJdk() {
        assertTrue(AttachPosture.closeWith(17).startsWith("On JDK 17 only -XX:+DisableAttachMechanism closes it, and it also "
                + "stops jcmd, jstack and jmap"));
        assertTrue(AttachPosture.closeWith(21).startsWith("Close it with -XX:-EnableDynamicAgentLoading, which keeps jcmd"));
    }
}
