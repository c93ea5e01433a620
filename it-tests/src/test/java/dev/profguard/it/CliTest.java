package dev.profguard.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar profguard-agent.jar}: help, version, COMMAND --help, --opt=value. */
class CliTest extends JvmTest {
    record Result(int status, String stdout, String stderr) {
    }

    private Result cli(Jdk jdk, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar", Jvm.AGENT.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Result(process.exitValue(), out, err);
    }

    @OnEachJdk
    void helpAndVersionInEveryUsualSpelling(Jdk jdk) throws Exception {
        for (String help : new String[]{"help", "--help", "-h"}) {
            Result result = cli(jdk, help);
            assertEquals(0, result.status(), help);
            assertTrue(result.stdout().contains("java -jar profguard-agent.jar check [--pid PID]"), result.stdout());
            for (String key : OptionErrorsTest.OPTION_KEYS) {
                assertTrue(result.stdout().lines().anyMatch(l -> l.startsWith("  " + key + " ") && l.contains("(default: ")),
                        "each option with its meaning and default: " + key + "\n" + result.stdout());
            }
            assertTrue(result.stdout().contains("  attach          a production JVM open to agents loaded at run time: "
                    + "warn, ignore, refuse (default: warn)"), result.stdout());
        }
        for (String version : new String[]{"version", "--version"}) {
            Result result = cli(jdk, version);
            assertEquals(0, result.status());
            assertTrue(result.stdout().matches("profguard 0\\.\\d+\\.\\d+.*\\n"), result.stdout());
        }
        Result unknown = cli(jdk, "chek");
        assertEquals(2, unknown.status());
        assertTrue(unknown.stderr().startsWith("profguard: unknown command 'chek'"), unknown.stderr());
    }

    @OnEachJdk
    void commandHelpAndOptEqualsValue(Jdk jdk) throws Exception {
        Result check = cli(jdk, "check", "--help");
        assertEquals(0, check.status(), check.toString());
        assertTrue(check.stdout().startsWith("usage: java -jar profguard-agent.jar check"), check.stdout());
        assertTrue(check.stdout().contains("--format FORMAT  text, json or sarif (default: text)"), check.stdout());
        Result scan = cli(jdk, "scan", "--help");
        assertEquals(0, scan.status());
        assertTrue(scan.stdout().startsWith("usage: java -jar profguard-agent.jar scan"), scan.stdout());
        long self = ProcessHandle.current().pid();
        Result pid = cli(jdk, "check", "--pid=" + self, "--format=json");
        assertTrue(pid.stdout().startsWith("{\"version\":"), pid.toString());
        assertTrue(pid.stdout().contains("\"pid\":" + self + ","), pid.stdout());
        Result spaced = cli(jdk, "check", "--pid", Long.toString(self), "--format", "json");
        assertEquals(pid.status(), spaced.status());
        Result badPid = cli(jdk, "check", "--pid=abc");
        assertEquals(2, badPid.status());
        assertTrue(badPid.stderr().startsWith("profguard: --pid takes a process id, not 'abc'"), badPid.stderr());
        Result scanned = cli(jdk, "scan", "--format=json", Jvm.fixture("libmtuner_standin.so").toString());
        assertEquals(1, scanned.status(), scanned.toString());
        assertTrue(scanned.stdout().startsWith("{"), scanned.stdout());
    }
}
