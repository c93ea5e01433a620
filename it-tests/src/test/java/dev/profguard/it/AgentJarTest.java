package dev.profguard.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shaded jar carries nothing that could meet the application's own copies. */
class AgentJarTest {
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
            assertEquals("dev.profguard.ops.Cli", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertTrue(jar.getEntry("dev/profguard/shaded/bytebuddy/jar/asm/ClassReader.class") != null,
                    "Byte Buddy's ASM is bundled, relocated");
            assertTrue(jar.getEntry("dev/profguard/shaded/bytebuddy/ByteBuddy.class") == null,
                    "only the ASM part of Byte Buddy: the rest is not used and costs start-up time");
            assertTrue(jar.getEntry("dev/profguard/shaded/logback/classic/LoggerContext.class") != null);
            assertTrue(jar.getEntry("dev/profguard/shaded/slf4j/Logger.class") != null);
            assertTrue(jar.getEntry("META-INF/native/linux-x86_64/libprofguard_probe.so") != null, "the probe is packed");
        }
    }

    @Test
    void logbackAndSlf4jPropertyNamesAreRelocatedToo() throws IOException {
        try (JarFile jar = new JarFile(Jvm.AGENT.toFile())) {
            String classic = constants(jar, "dev/profguard/shaded/logback/classic/ClassicConstants.class");
            assertTrue(classic.contains("dev.profguard.shaded.logback.configurationFile"));
            assertTrue(classic.contains("dev.profguard.shaded.logback.xml"));
            assertTrue(classic.contains("dev.profguard.shaded.logback-test.xml"));
            String factory = constants(jar, "dev/profguard/shaded/slf4j/LoggerFactory.class");
            assertTrue(factory.contains("dev.profguard.shaded.slf4j.provider"));
            for (String text : List.of(classic, factory)) {
                assertTrue(!text.contains("\u0000logback.configurationFile") && !text.matches("(?s).*[^.]slf4j\\.provider.*"),
                        "an unrelocated property name remains");
            }
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
    private static String constants(JarFile jar, String entry) throws IOException {
        byte[] bytes = jar.getInputStream(jar.getEntry(entry)).readAllBytes();
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(b >= 0x20 && b < 0x7f ? (char) b : '\u0000');
        }
        return text.toString();
    }
}
