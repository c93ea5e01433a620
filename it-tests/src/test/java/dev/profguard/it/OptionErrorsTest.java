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
    void unknownProfguardVariablesAreIgnoredWithOneWarningButNearMissesStayFatal(Jdk jdk) throws Exception {
        Run image = Jvm.on(jdk, dir).env("PROFGUARD_VERSION", "1.2.3").env("PROFGUARD_HOME", "/opt/profguard")
                .env("APP_ENV", "production").run();
        assertEquals(0, image.exitStatus(), image.toString());
        assertTrue(image.mainRan());
        assertEquals("profguard: WARN ignoring environment variables PROFGUARD_HOME, PROFGUARD_VERSION: not profguard "
                + "options (options are PROFGUARD_<KEY> for " + String.join(", ", OPTION_KEYS) + "). Nothing else changes; "
                + "rename or unset what is not meant for profguard to silence this.", image.onlyProfguardLine());
        assertRefusedFor(Jvm.on(jdk, dir).env("PROFGUARD_ACTON", "warn").run(),
                "unknown option environment variable PROFGUARD_ACTON: did you mean PROFGUARD_ACTION?");
        assertRefusedFor(Jvm.on(jdk, dir).env("PROFGUARD_LOGFORMAT", "json").run(),
                "unknown option environment variable PROFGUARD_LOGFORMAT: did you mean PROFGUARD_LOG_FORMAT?");
        assertRefusedFor(Jvm.on(jdk, dir).option("-Dprofguard.version=1").run(), "unknown option system property profguard.version");
        assertRefusedFor(Jvm.on(jdk, dir).agentArgs("home=/opt").run(), "unknown option agent argument home");
    }

    @OnEachJdk
    void aMalformedOptionsErrorIsJsonWhenJsonIsAskedFor(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("log.format=json,action=refsue").run();
        assertEquals(64, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("{\"time\":\""), line);
        assertTrue(line.contains("\"level\":\"ERROR\""), line);
        assertTrue(line.contains("\"message\":\"profguard: invalid option action='refsue' (agent argument)"), line);
        assertTrue(line.contains("\"outcome\":\"bad_option\""), line);
        assertTrue(line.contains("\"exit_status\":64"), line);
        assertTrue(line.endsWith("\"findings\":[]}"), line);
        Run variable = Jvm.on(jdk, dir).env("PROFGUARD_LOG_FORMAT", "json").env("PROFGUARD_EXIT_CODE", "0").run();
        assertTrue(variable.onlyProfguardLine().startsWith("{\"time\":"), variable.toString());
        Run typo = Jvm.on(jdk, dir).env("PROFGUARD_LOG_FORMAT", "json").env("PROFGUARD_ACTON", "warn").run();
        assertTrue(typo.onlyProfguardLine().contains("did you mean PROFGUARD_ACTION?"), typo.toString());
        assertTrue(typo.onlyProfguardLine().startsWith("{\"time\":"), typo.toString());
    }

    static final java.util.List<String> OPTION_KEYS = java.util.List.of("env", "production", "enabled", "action",
            "exit.code", "rules", "probe", "probe.dir", "capture.files", "watch.interval", "runtime.action", "attach",
            "health.port", "health.bind", "status.file", "log.format", "log.level");

    @OnEachJdk
    void badRulesFileExits64(Jdk jdk) throws Exception {
        assertRefusedFor(Jvm.on(jdk, dir).agentArgs("rules=" + dir.resolve("absent.rules")).run(),
                "invalid option rules: cannot read rules file");
        Path typo = Files.writeString(dir.resolve("typo.rules"), "[rule x]\nsymbol = a b\n");
        assertRefusedFor(Jvm.on(jdk, dir).agentArgs("rules=" + typo).run(), typo + ":2: unknown key 'symbol'");
    }
}
