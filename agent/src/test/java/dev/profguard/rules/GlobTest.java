package dev.profguard.rules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GlobTest {
    @ParameterizedTest
    @CsvSource({
            "*mtuner*, libMTuner.so, true",
            "*mtuner*, libmtuner_standin.so, true",
            "*mtuner*, libjvm.so, false",
            "librmem.so*, librmem.so.1, true",
            "librmem.so*, librmemx.so, false",
            "*.MTuner, mtuner_capture_1.MTuner, true",
            "*.MTuner, capture.MTuner.txt, false",
            "lib?.so, liba.so, true",
            "lib?.so, libab.so, false",
            "*, '', true",
            "a*b*c, aXXbYYc, true",
            "a*b*c, aXXbYY, false",
    })
    void matchesFileNamesIgnoringCase(String glob, String name, boolean expected) {
        assertEquals(expected, Glob.matches(glob, name));
    }

    @ParameterizedTest
    @CsvSource({"'*a*a*a*a*a*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"})
    void pathologicalPatternsStayLinear(String glob, String name) {
        assertEquals(false, Glob.matches(glob, name.repeat(200)));
    }
}
