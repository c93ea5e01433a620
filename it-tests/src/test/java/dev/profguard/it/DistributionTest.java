package dev.profguard.it;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the agent jar carries besides code: the licence and the bundled libraries' notices, and
 * fixed entry times (a reproducible jar; .ci/run also compares two clean builds byte for byte).
 */
class DistributionTest {
    static final Path ROOT = Jvm.AGENT.getParent().getParent().getParent();

    private static String entry(ZipFile jar, String name) throws Exception {
        ZipEntry entry = jar.getEntry(name);
        assertNotNull(entry, name + " in the agent jar");
        return new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void theLicenceAndTheBundledLibrariesNoticesAreInTheJarAndTheRepository() throws Exception {
        String licence = Files.readString(ROOT.resolve("LICENSE"));
        assertTrue(licence.contains("Apache License\n                           Version 2.0, January 2004"), "Apache-2.0");
        try (ZipFile jar = new ZipFile(Jvm.AGENT.toFile())) {
            assertEquals(licence, entry(jar, "META-INF/LICENSE"));
            assertEquals(Files.readString(ROOT.resolve("NOTICE")), entry(jar, "META-INF/NOTICE"));
            String notice = entry(jar, "META-INF/NOTICE");
            assertTrue(notice.contains("SLF4J API 2.0.17") && notice.contains("Logback 1.5.21")
                    && notice.contains("Byte Buddy 1.18.14"), notice);
            assertTrue(entry(jar, "META-INF/licenses/slf4j-MIT.txt").contains("Permission is hereby granted, free  of charge"));
            assertTrue(entry(jar, "META-INF/licenses/logback-EPL-1.0.txt").startsWith("Eclipse Public License - v 1.0"));
            assertTrue(entry(jar, "META-INF/licenses/logback-LGPL-2.1.txt").contains("Version 2.1, February 1999"));
            assertTrue(entry(jar, "META-INF/licenses/asm-BSD-3-Clause.txt").contains("INRIA, France Telecom"));
            assertTrue(entry(jar, "META-INF/licenses/byte-buddy-NOTICE.txt").contains("Rafael Winterhalter"));
        }
    }

    /**
     * Entries carry the fixed time of the pom, or the time they had in the bundled library: never
     * the build's clock; in the agent jar and in the shaded jar it is written from (the Maven
     * artifact), whose own classes carry the pom's time.
     */
    @Test
    void noEntryCarriesTheBuildsOwnTime() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        String stamp = pom.replaceAll("(?s).*<project.build.outputTimestamp>([^<]+)</project.build.outputTimestamp>.*", "$1");
        FileTime fixed = FileTime.from(java.time.Instant.parse(stamp));
        for (Path file : List.of(Jvm.AGENT, AgentJarTest.SHADED)) {
            try (ZipFile jar = new ZipFile(file.toFile())) {
                int entries = 0;
                int fixedOnes = 0;
                for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); entries++) {
                    ZipEntry entry = e.nextElement();
                    // zip keeps local time at 2 s resolution
                    assertTrue(entry.getLastModifiedTime().toMillis() <= fixed.toMillis() + 2000,
                            file.getFileName() + ": " + entry.getName() + " " + entry.getLastModifiedTime() + " is later than " + fixed);
                    fixedOnes += (entry.getName().startsWith("dev/profguard/") && !entry.getName().startsWith("dev/profguard/shaded/")
                            || entry.getName().startsWith("META-INF/profguard/"))
                            && entry.getLastModifiedTime().toMillis() / 2000 == fixed.toMillis() / 2000 ? 1 : 0;
                }
                boolean shaded = file.equals(AgentJarTest.SHADED);
                assertTrue(entries > (shaded ? 100 : 10), file.getFileName() + ": " + entries + " entries");
                assertTrue(fixedOnes > (shaded ? 50 : 3), file.getFileName() + ": profguard's own classes and packs carry the pom's time");
            }
        }
    }
}
