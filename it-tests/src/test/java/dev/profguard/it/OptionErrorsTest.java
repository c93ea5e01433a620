package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A malformed option stops the JVM before main with status 64 and a line that names the option. */
class OptionErrorsTest extends JvmTest {


    private static void assertRefusedFor(Run run, String named) {
        assertEquals(64, run.exitStatus(), run.toString());
        assertFalse(run.mainRan(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: ERROR "), line);
        assertTrue(line.contains(named), "names " + named + ": " + line);
        assertTrue(line.contains("exit status 64"), line);
    }

    @OnEachJdk
    void malformedOptionsExit64NamingTheOption(Jdk jdk) throws Exception {
        assertRefusedFor(Jvm.on(jdk, dir).agentArgs("env=production,action=refsue").run(),
                "invalid option action='refsue' (agent argument)");
        assertRefusedFor(Jvm.on(jdk, dir).agentArgs("watch.interval=10").run(), "invalid option watch.interval='10'");
        assertRefusedFor(Jvm.on(jdk, dir).agentArgs("runtime.action=kill").run(),
                "invalid option runtime.action='kill' (agent argument): expected one of neutralize, warn, halt");
        assertRefusedFor(Jvm.on(jdk, dir).option("-Dprofguard.acton=warn").run(),
                "unknown option system property profguard.acton");
        assertRefusedFor(Jvm.on(jdk, dir).env("PROFGUARD_EXIT_CODE", "0").run(),
                "invalid option exit.code='0' (environment variable PROFGUARD_EXIT_CODE)");
    }

    @OnEachJdk
    void badRulesFileExits64(Jdk jdk) throws Exception {
        assertRefusedFor(Jvm.on(jdk, dir).agentArgs("rules=" + dir.resolve("absent.rules")).run(),
                "invalid option rules: cannot read rules file");
        Path typo = Files.writeString(dir.resolve("typo.rules"), "[rule x]\nsymbol = a b\n");
        assertRefusedFor(Jvm.on(jdk, dir).agentArgs("rules=" + typo).run(), typo + ":2: unknown key 'symbol'");
    }
}
