package dev.profguard.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shaded jar carries nothing that could meet the application's own copies. */
class AgentJarTest {
    /** The shaded jar the agent jar is written from: the Maven artifact, the classes as entries. */
    static final Path SHADED = Jvm.AGENT.resolveSibling("profguard-agent-classes.jar");

    @Test
    void everyClassIsUnderTheProjectsPackageAndNothingIsDiscoverable() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (JarFile jar = new JarFile(Jvm.AGENT.toFile())) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                String name = entry.getName();
                boolean ours = name.startsWith("dev/profguard/") || name.equals("dev/");
                boolean allowedMeta = name.equals("META-INF/") || name.equals("META-INF/MANIFEST.MF")
                        || name.equals("META-INF/LICENSE") || name.equals("META-INF/NOTICE") || name.startsWith("META-INF/licenses/") || name.startsWith("META-INF/native/")
                        || name.startsWith("META-INF/profguard/"); // the start classes: StartClasses
                if (!ours && !allowedMeta) {
                    offenders.add(name);
                }
                if (name.endsWith("module-info.class") || name.startsWith("META-INF/services/")
                        || name.startsWith("META-INF/versions/") || name.matches(".*logback(-test)?\\.xml")) {
                    offenders.add(name);
                }
            }
            assertEquals(List.of(), offenders, "unrelocated or discoverable entries in the agent jar");
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("dev.profguard.Agent", main.getValue("Premain-Class"));
            assertEquals("dev.profguard.Agent", main.getValue("Agent-Class"));
            assertEquals("dev.profguard.Agent", main.getValue("Main-Class"), "the command line's classes are in the packs too");
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertTrue(jar.getEntry("META-INF/native/linux-x86_64/libprofguard_probe.so") != null, "the probe is packed");
        }
        Map<String, byte[]> classes = AgentJarClasses.all(Jvm.AGENT);
        assertTrue(classes.containsKey("dev.profguard.shaded.bytebuddy.jar.asm.ClassReader"), "Byte Buddy's ASM is bundled, relocated");
        assertTrue(!classes.containsKey("dev.profguard.shaded.bytebuddy.ByteBuddy"),
                "only the ASM part of Byte Buddy: the rest is not used and costs start-up time");
        assertTrue(classes.containsKey("dev.profguard.shaded.logback.classic.LoggerContext"));
        assertTrue(classes.containsKey("dev.profguard.shaded.slf4j.Logger"));
        for (String name : classes.keySet()) {
            assertTrue(name.startsWith("dev.profguard.") && !name.endsWith("module-info"), name + " in the pack of all classes");
        }
    }

    /**
     * The agent jar's directory is short (the JVM reads all of it, interpreted, before premain):
     * its one class file entry is the entry point; every other class of the shaded jar is in the
     * pack of all classes, byte for byte.
     */
    @Test
    void theAgentJarKeepsOneClassAsAnEntryAndEveryOtherInItsPack() throws IOException {
        Map<String, byte[]> packed = AgentJarClasses.all(Jvm.AGENT);
        int shadedClasses = 0;
        try (ZipFile agent = new ZipFile(Jvm.AGENT.toFile()); ZipFile shaded = new ZipFile(SHADED.toFile())) {
            List<String> classEntries = agent.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")).toList();
            assertEquals(List.of("dev/profguard/Agent.class"), classEntries);
            assertTrue(agent.size() < 40, agent.size() + " entries in the agent jar");
            assertTrue(agent.stream().noneMatch(ZipEntry::isDirectory), "no directory entries");
            for (ZipEntry entry : java.util.Collections.list(shaded.entries())) {
                String name = entry.getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                byte[] bytes;
                try (InputStream in = shaded.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                if (name.equals("dev/profguard/Agent.class")) {
                    try (InputStream in = agent.getInputStream(agent.getEntry(name))) {
                        assertArrayEquals(bytes, in.readAllBytes());
                    }
                    continue;
                }
                shadedClasses++;
                String binaryName = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                assertArrayEquals(bytes, packed.get(binaryName), binaryName + " in the pack of all classes");
            }
        }
        assertEquals(shadedClasses, packed.size(), "the pack holds the shaded jar's classes and nothing else");
        assertTrue(shadedClasses > 500, shadedClasses + " classes");
    }

    @Test
    void logbackAndSlf4jPropertyNamesAreRelocatedToo() throws IOException {
        String classic = constants("dev.profguard.shaded.logback.classic.ClassicConstants");
        assertTrue(classic.contains("dev.profguard.shaded.logback.configurationFile"));
        assertTrue(classic.contains("dev.profguard.shaded.logback.xml"));
        assertTrue(classic.contains("dev.profguard.shaded.logback-test.xml"));
        String factory = constants("dev.profguard.shaded.slf4j.LoggerFactory");
        assertTrue(factory.contains("dev.profguard.shaded.slf4j.provider"));
        for (String text : List.of(classic, factory)) {
            assertTrue(!text.contains("\u0000logback.configurationFile") && !text.matches("(?s).*[^.]slf4j\\.provider.*"),
                    "an unrelocated property name remains");
        }
    }

    @Test
    void javaDashJarPrintsUsageAndVersion() throws Exception {
        Process ok = new ProcessBuilder(Jdk.all().findFirst().orElseThrow().java().toString(), "-jar",
                Jvm.AGENT.toString()).redirectErrorStream(true).start();
        assertTrue(ok.waitFor(60, TimeUnit.SECONDS));
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ok.exitValue(), out);
        assertTrue(out.startsWith("profguard 0."), out);
        assertTrue(out.contains("usage:"), out);
        Process bad = new ProcessBuilder(Jdk.all().findFirst().orElseThrow().java().toString(), "-jar",
                Jvm.AGENT.toString(), "bogus").redirectErrorStream(true).start();
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        String err = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, bad.exitValue(), err);
        assertTrue(err.startsWith("profguard: unknown command 'bogus'"), err);
    }

    /** The class file's text with each constant-pool string NUL-separated (close enough to search). */
    private static String constants(String binaryName) throws IOException {
        byte[] bytes = AgentJarClasses.classFile(Jvm.AGENT, binaryName);
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(b >= 0x20 && b < 0x7f ? (char) b : '\u0000');
        }
        return text.toString();
    }
}
