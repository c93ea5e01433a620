package dev.profguard.it;

import com.sun.tools.attach.VirtualMachine;
import dev.profguard.it.app.HelloApp;
import dev.profguard.it.app.SleepingApp;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attached to a running production JVM (Agent-Class), profguard reports; it never ends that JVM. */
class AttachTest extends JvmTest {


    @OnEachJdk
    void attachedToARunningProductionJvmItReportsAndDoesNotEndIt(Jdk jdk) throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
        if (!jdk.name().equals("JDK 17")) {
            command.add("-XX:+EnableDynamicAgentLoading"); // JDK 21+ warns about dynamic agents otherwise
        }
        command.addAll(List.of("-cp", Jvm.codeSource(HelloApp.class).toString(), SleepingApp.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("APP_ENV"));
        builder.environment().put("LD_PRELOAD", Jvm.fixture("libmtuner_standin.so").toString());
        Path err = dir.resolve("stderr.txt");
        Path out = dir.resolve("stdout.txt");
        builder.redirectError(err.toFile()).redirectOutput(out.toFile());
        Process app = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(out).contains(HelloApp.MARKER) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            VirtualMachine vm = VirtualMachine.attach(Long.toString(app.pid()));
            try {
                vm.loadAgent(Jvm.AGENT.toString(), "env=production");
            } finally {
                vm.detach();
            }
            try (OutputStream stdin = app.getOutputStream()) {
                stdin.write('\n');
            }
            assertTrue(app.waitFor(60, TimeUnit.SECONDS));
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertEquals(0, app.exitValue(), stderr);
            assertTrue(Files.readString(out).contains("STILL-RUNNING"), "the JVM was not ended");
            List<String> lines = stderr.lines().filter(l -> l.startsWith("profguard:")).toList();
            assertEquals(1, lines.size(), stderr);
            assertTrue(lines.get(0).startsWith("profguard: ERROR MTuner's client"), lines.get(0));
            assertTrue(lines.get(0).contains("attached to a running JVM, whose main already runs: nothing was stopped"),
                    lines.get(0));
            assertTrue(!stderr.contains("WARNING"), "no JVM warning\n" + stderr);
        } finally {
            app.destroyForcibly();
        }
    }

    @OnEachJdk
    void attachingAfterPremainIsHarmless(Jdk jdk) throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(),
                "-javaagent:" + Jvm.AGENT + "=env=production,watch.interval=200ms"));
        if (!jdk.name().equals("JDK 17")) {
            command.addAll(List.of("-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED"));
        }
        try (RunningJvm app = attachedLoadApp(command)) {
            assertEquals(0, app.await(), app.stderr());
            assertTrue(app.stdout().contains("REFUSED profguard: MTuner's client (rmem) found in a library load"), app.stdout() + app.stderr());
            List<String> lines = app.stderr().lines().filter(l -> l.startsWith("profguard:")).toList();
            assertEquals(2, lines.size(), "the posture line from premain and one refusal; nothing from the second start\n"
                    + app.stderr());
            assertTrue(lines.get(1).startsWith("profguard: ERROR MTuner's client (rmem) found in a library load"), lines.get(1));
        }
    }

    @OnEachJdk
    void attachedLateItStillGatesLibraryLoads(Jdk jdk) throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
        if (!jdk.name().equals("JDK 17")) {
            command.addAll(List.of("-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED"));
        }
        try (RunningJvm app = attachedLoadApp(command)) {
            assertEquals(0, app.await(), app.stderr());
            assertTrue(app.stdout().contains("REFUSED profguard: MTuner's client (rmem) found in a library load")
                            && app.stdout().contains("library load " + Jvm.fixture("libcompress-helper.so")),
                    app.stdout() + app.stderr());
        }
    }

    /**
     * Starts AttachLoadApp with the given JVM options, attaches profguard (production) to it, and
     * lets it try System.load of the stand-in.
     */
    private RunningJvm attachedLoadApp(List<String> command) throws Exception {
        command.addAll(List.of("-cp", Jvm.codeSource(HelloApp.class).toString(),
                dev.profguard.it.app.AttachLoadApp.class.getName(), Jvm.fixture("libcompress-helper.so").toString()));
        RunningJvm app = new RunningJvm(command, java.util.Map.of(), dir);
        VirtualMachine vm = VirtualMachine.attach(Long.toString(app.process.pid()));
        try {
            vm.loadAgent(Jvm.AGENT.toString(), "env=production");
        } finally {
            vm.detach();
        }
        app.send("go");
        return app;
    }
}
