package dev.profguard.policy;

import dev.profguard.config.Config;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Source;
import dev.profguard.detect.Strength;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTest {
    private static Finding finding(Strength strength) {
        return new Finding("mtuner-client", "MTuner's client (rmem)", strength, Source.MAPPED_OBJECT, "/x/lib.so",
                List.of(), null, "");
    }

    @ParameterizedTest(name = "{0} / {1} / {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // findings        | env     | action     | outcome | reason starts with
            "''                | prod    | refuse     | ALLOW   | nothing found",
            "STRONG            | prod    | refuse     | REFUSE  | action=refuse",
            "STRONG            | prod    | neutralize | NEUTRALIZE | action=neutralize",
            "STRONG            | staging | neutralize | WARN    | not a production JVM",
            "STRONG            | prod    | warn       | WARN    | action=warn",
            "STRONG            | staging | refuse     | WARN    | not a production JVM",
            "STRONG            | ''      | refuse     | WARN    | not a production JVM",
            "WEAK              | prod    | refuse     | WARN    | weak evidence only",
            "UNKNOWN           | prod    | refuse     | WARN    | a check could not run",
            "UNKNOWN WEAK      | prod    | refuse     | WARN    | weak evidence only",
            "UNKNOWN STRONG    | prod    | refuse     | REFUSE  | action=refuse",
            "WEAK STRONG WEAK  | live    | refuse     | REFUSE  | action=refuse",
    })
    void decides(String strengths, String env, String action, Outcome outcome, String reason) throws Exception {
        List<Finding> findings = new ArrayList<>();
        for (String s : strengths.split(" ")) {
            if (!s.isEmpty()) {
                findings.add(finding(Strength.valueOf(s)));
            }
        }
        String args = "action=" + action + (env.isEmpty() ? "" : ",env=" + env);
        Verdict verdict = Policy.decide(findings, Config.resolve(args, new Properties(), Map.of()));
        assertEquals(outcome, verdict.outcome());
        assertTrue(verdict.reason().startsWith(reason), verdict.reason());
        if (!verdict.findings().isEmpty()) {
            Strength strongest = findings.stream().map(Finding::strength).min(Enum::compareTo).orElseThrow();
            assertEquals(strongest, verdict.findings().get(0).strength(), "strongest evidence first");
        }
    }
}
