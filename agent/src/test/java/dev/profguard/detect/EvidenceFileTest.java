package dev.profguard.detect;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file named by the linker is compared with the file mapped at the object's load address by
 * device and inode (red team round 16): the stat of a name and the maps' "major:minor inode" of
 * the same file must read the same, and another file must not.
 */
class EvidenceFileTest {
    @Test
    void aNamedFileAndItsMappingReadAsTheSameFile() throws Exception {
        Path libjvm = Path.of(Locations.jdkHome(), "lib", "server", "libjvm.so").toRealPath();
        String mapped = null;
        for (String line : new String(Files.readAllBytes(Path.of("/proc/self/maps")), StandardCharsets.ISO_8859_1).split("\n")) {
            String[] fields = line.trim().split("\\s+", 6);
            if (fields.length == 6 && fields[5].equals(libjvm.toString())) {
                mapped = fields[3] + " " + fields[4];
                break;
            }
        }
        assertNotNull(mapped, "this JVM maps " + libjvm);
        assertEquals(Evidence.sameForm(mapped), Evidence.fileOf(libjvm), mapped);
        Path libjava = libjvm.getParent().getParent().resolve("libjava.so");
        assertNotEquals(Evidence.sameForm(mapped), Evidence.fileOf(libjava));
        assertNull(Evidence.fileOf(Path.of("/no/such/file/here")));
    }

    @Test
    void beforeLinux68OnlyTheInodesAreCompared() {
        assertTrue(Evidence.atLeast("6.18.44-fc-v1272", 6, 8));
        assertTrue(Evidence.atLeast("7.0.1", 6, 8));
        assertFalse(Evidence.atLeast("6.7.12", 6, 8));
        assertFalse(Evidence.atLeast("5.15.0-91-generic", 6, 8));
        assertFalse(Evidence.atLeast("nonsense", 6, 8));
        assertTrue(Evidence.sameFile("fd:1 1234", "fd:1 1234"));
        assertEquals(!Evidence.EXACT_MAPS_DEVICES, Evidence.sameFile("0:92 1234", "fe:1 1234")); // overlayfs before 6.8
        assertFalse(Evidence.sameFile("fd:1 1234", "fd:1 1235"));
    }

    @Test
    void theMapsDeviceFieldIsWrittenWithoutLeadingZeros() {
        assertEquals("fd:1 1234", Evidence.sameForm("fd:01 1234"));
        assertEquals("0:0 0", Evidence.sameForm("00:00 0"));
        assertEquals("103:2 99", Evidence.sameForm("103:02 99"));
        assertEquals("not a device", Evidence.sameForm("not a device"));
    }
}
