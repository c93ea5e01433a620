package dev.profguard.runtime;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
