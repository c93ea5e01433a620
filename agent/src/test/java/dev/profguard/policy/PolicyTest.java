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

/** Every surface x environment x action, and what health says after each outcome. */
class PolicyTest {
    private static Finding finding(Strength strength) {
        return new Finding("mtuner-client", "MTuner's client (rmem)", strength, Source.MAPPED_OBJECT, "/x/lib.so",
                List.of(), null, "", true);
    }

    /** STRONG_WARN: strong evidence of a rule of strength warn (e.g. async-profiler). */
    private static Finding parse(String word) {
        if (word.equals("STRONG_WARN")) {
            return new Finding("async-profiler", "async-profiler", Strength.STRONG, Source.JVM_ARGUMENT, "/x/libasyncProfiler.so",
                    List.of(), null, "", false);
        }
        return finding(Strength.valueOf(word));
    }

    /** A clean start decides nothing (Guard.startClean does not load the policy): that is this table's first row, everywhere. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Surface.class)
    void noFindingsAllowEverywhere(Surface surface) throws Exception {
        for (String options : List.of("env=prod", "env=prod,action=refuse,runtime.action=halt", "env=staging", "")) {
            Verdict verdict = Policy.decide(List.of(), surface, Config.resolve(options, new Properties(), Map.of()));
            assertEquals(Outcome.ALLOW, verdict.outcome(), surface + " " + options);
            assertEquals(false, Policy.clientActive(verdict, Config.resolve(options, new Properties(), Map.of())));
        }
    }

    @ParameterizedTest(name = "{0} / {1} / {2} / {3} -> {4}")
    @CsvSource(delimiter = '|', value = {
            // findings       | surface | env     | options                                  | outcome    | reason starts with      | DOWN
            "''               | START   | prod    | action=refuse                            | ALLOW      | nothing found           | false",
            "STRONG           | START   | prod    | action=refuse                            | REFUSE     | action=refuse           | true",
            "STRONG           | START   | prod    | action=neutralize                        | NEUTRALIZE | action=neutralize       | true",
            "STRONG           | START   | prod    | action=warn                              | WARN       | action=warn             | true",
            "STRONG           | START   | staging | action=refuse                            | WARN       | not a production JVM; in production: the JVM would be refused | false",
            "STRONG           | START   | staging | action=neutralize                        | WARN       | not a production JVM; in production: the client would be switched off | false",
            "STRONG           | START   | ''      | action=refuse                            | WARN       | not a production JVM    | false",
            "WEAK             | START   | prod    | action=refuse                            | WARN       | weak evidence only      | false",
            "UNKNOWN          | START   | prod    | action=refuse                            | WARN       | a check could not run   | false",
            "UNKNOWN WEAK     | START   | prod    | action=refuse                            | WARN       | weak evidence only      | false",
            "UNKNOWN STRONG   | START   | prod    | action=refuse                            | REFUSE     | action=refuse           | true",
            "WEAK STRONG WEAK | START   | live    | action=refuse                            | REFUSE     | action=refuse           | true",
            "STRONG           | LOAD    | prod    | action=refuse                            | REFUSE     | action=refuse           | false",
            "STRONG           | LOAD    | prod    | action=neutralize                        | REFUSE     | action=neutralize       | false",
            "STRONG           | LOAD    | prod    | action=warn                              | WARN       | action=warn             | true",
            "STRONG           | LOAD    | staging | action=refuse                            | WARN       | not a production JVM; in production: the load would be refused | false",
            "WEAK             | LOAD    | prod    | action=refuse                            | WARN       | weak evidence only      | false",
            "STRONG           | LATE    | prod    | action=refuse                            | NEUTRALIZE | runtime.action=neutralize | true",
            "STRONG           | LATE    | prod    | runtime.action=halt                      | HALT       | runtime.action=halt     | true",
            "STRONG           | LATE    | prod    | runtime.action=warn                      | WARN       | runtime.action=warn     | true",
            "STRONG           | LATE    | staging | runtime.action=halt                      | WARN       | not a production JVM; in production: the JVM would be ended | false",
            "STRONG           | LATE    | staging | action=refuse                            | WARN       | not a production JVM; in production: the client would be switched off | false",
            "WEAK             | LATE    | prod    | runtime.action=halt                      | WARN       | weak evidence only      | false",
            "STRONG           | CHECK   | prod    | action=refuse                            | REFUSE     | action=refuse           | false",
            "STRONG           | CHECK   | staging | action=refuse                            | WARN       | not a production JVM    | false",
            "STRONG           | SCAN    | staging | action=warn                              | REFUSE     | found in a file         | false",
            "WEAK             | SCAN    | prod    | action=refuse                            | WARN       | weak evidence only      | false",
            "STRONG_WARN      | START   | prod    | action=refuse                            | WARN       | strength=warn           | false",
            "STRONG_WARN      | START   | prod    | action=neutralize                        | WARN       | strength=warn           | false",
            "STRONG_WARN      | START   | staging | action=refuse                            | WARN       | not a production JVM; strength=warn | false",
            "STRONG_WARN WEAK | START   | prod    | action=refuse                            | WARN       | strength=warn           | false",
            "STRONG_WARN STRONG | START | prod    | action=refuse                            | REFUSE     | action=refuse           | true",
            "STRONG STRONG_WARN | START | prod    | action=neutralize                        | NEUTRALIZE | action=neutralize       | true",
            "STRONG_WARN      | LOAD    | prod    | action=refuse                            | WARN       | strength=warn           | false",
            "STRONG_WARN      | LATE    | prod    | runtime.action=halt                      | WARN       | strength=warn           | false",
            "STRONG_WARN      | CHECK   | prod    | action=refuse                            | WARN       | strength=warn           | false",
            "STRONG_WARN      | SCAN    | prod    | action=refuse                            | WARN       | strength=warn           | false",
    })
    void decides(String strengths, Surface surface, String env, String options, Outcome outcome, String reason,
                 boolean down) throws Exception {
        List<Finding> findings = new ArrayList<>();
        for (String s : strengths.split(" ")) {
            if (!s.isEmpty()) {
                findings.add(parse(s));
            }
        }
        String args = options + (env.isEmpty() ? "" : ",env=" + env);
        Config config = Config.resolve(args, new Properties(), Map.of());
        Verdict verdict = Policy.decide(findings, surface, config);
        assertEquals(outcome, verdict.outcome());
        assertTrue(verdict.reason().startsWith(reason), verdict.reason());
        if (!verdict.findings().isEmpty()) {
            Strength strongest = findings.stream().map(Finding::strength).min(Enum::compareTo).orElseThrow();
            assertEquals(strongest, verdict.findings().get(0).strength(), "strongest evidence first");
        }
        if (surface == Surface.START || surface == Surface.LATE) { // health speaks of this JVM
            assertEquals(down, Policy.clientActive(verdict, config), "health DOWN");
        }
    }

    @ParameterizedTest
    @CsvSource({"prod", "staging"})
    void aClientSwitchedOffLeavesHealthUp(String env) throws Exception {
        Config config = Config.resolve("env=" + env, new Properties(), Map.of());
        Verdict done = new Verdict(Outcome.NEUTRALIZED, List.of(finding(Strength.STRONG)), "switched off");
        assertEquals(false, Policy.clientActive(done, config));
    }
}
