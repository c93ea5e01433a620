package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.NoopAgent;
import dev.profguard.it.app.StartScanAgreementApp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A clean start trusts the probe's first look (start_scan.c) to say "nothing" only where the full
 * scan would find nothing: the two are run side by side on the same process, clean and with each
 * kind of evidence the built-in rules know, and must agree.
 */
class StartScanAgreementTest extends JvmTest {
    private record Looks(int c, int java, String findings) {
    }

    private Looks look(Jdk jdk, Jvm jvm) throws Exception {
        jvm.applicationNativeAccess(); // the app loads the probe itself with System.load
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        String c = run.stdout().lines().filter(l -> l.startsWith("C ")).findFirst().orElseThrow(() -> new AssertionError(run));
        String java = run.stdout().lines().filter(l -> l.startsWith("JAVA ")).findFirst().orElseThrow();
        String[] words = java.split(" ", 3);
        return new Looks(Integer.parseInt(c.substring(2)), Integer.parseInt(words[1]), words[2]);
    }

    private Jvm app(Jdk jdk, String... args) {
        return Jvm.on(jdk, dir).agentArgs("env=staging,probe=off").main(StartScanAgreementApp.class, args)
                .classpath(AgentJarTest.SHADED); // the app runs the agent's scans itself: the agent jar holds its classes in packs
    }

    @OnEachJdk
    void aCleanJvmIsCleanToBoth(Jdk jdk) throws Exception {
        Looks clean = look(jdk, app(jdk));
        assertEquals(0, clean.java(), clean.findings());
        assertEquals(0, clean.c(), "the probe's first look finds nothing to look at in a plain JVM: " + clean);
        Looks systemPreload = look(jdk, app(jdk).env("LD_PRELOAD", "libz.so.1"));
        assertEquals(0, systemPreload.java(), systemPreload.findings());
    }

    @OnEachJdk
    void everyKindOfEvidenceMakesTheFirstLookLookCloser(Jdk jdk) throws Exception {
        Path agent = dir.resolve("mtuner-tools.jar"); // a real agent jar, named like the client
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", NoopAgent.class.getName());
        String entry = NoopAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(agent), manifest)) {
            out.putNextEntry(new JarEntry(entry));
            try (var in = NoopAgent.class.getClassLoader().getResourceAsStream(entry)) {
                in.transferTo(out);
            }
        }
        List<Jvm> withEvidence = List.of(
                app(jdk).preload("libcompress-helper.so"),               // renamed: by its symbols
                app(jdk).preload("libhidden-helper.so"),                 // hidden and stripped: by its marks
                app(jdk).preload("libmtuner_standin.so"),                // by name and symbols
                app(jdk).env("MTuner_Allocator", "1"),                   // the client's own variable
                app(jdk).env("JAVA_TOOL_OPTIONS", "-javaagent:" + agent), // an agent named like it
                app(jdk, "open-capture", dir.toString()),                // its capture data, open
                app(jdk).option("-XX:NativeMemoryTracking=detail"),      // another rule's JVM argument
                app(jdk).env("HEAPPROFILE", dir.resolve("heap").toString()), // another rule's setting
                app(jdk).env("JDK_JAVA_OPTIONS", "-XX:NativeMemoryTracking=detail")); // the argument in a variable
        for (Jvm jvm : withEvidence) {
            Looks looks = look(jdk, jvm);
            assertTrue(looks.java() > 0, "the full scan finds it: " + looks + "\n" + jvm.command());
            assertNotEquals(0, looks.c(), "the first look does not say nothing: " + looks + "\n" + jvm.command());
        }
    }
}
