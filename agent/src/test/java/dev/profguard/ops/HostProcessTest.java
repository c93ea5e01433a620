package dev.profguard.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostProcessTest {
    @TempDir
    Path dir;

    private HostProcess stat(String text) throws Exception {
        Files.write(dir.resolve("stat"), text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return HostProcess.read(dir, 42);
    }

    /** A real line of proc(5) stat for a JVM, with the given comm. */
    private static String line(String comm, long flags, long start) {
        return "42 (" + comm + ") S 1 42 42 0 -1 " + flags + " 4137 0 12 0 15 7 0 0 20 0 19 0 " + start
                + " 3797696512 24310 18446744073709551615 1 1 0 0 0 0 0 4096 16796879 0 0 0 17 1 0 0 0 0 0\n";
    }

    @Test
    void readsStartTimeNameAndCpuTime() throws Exception {
        HostProcess process = stat(line("java", 4194560, 48039));
        assertEquals(48039, process.startTime());
        assertEquals("java", process.name());
        assertEquals(22, process.cpuTicks());
        assertFalse(process.kernelThread());
    }

    @Test
    void aNameWithParenthesesAndSpacesCannotShiftTheFields() throws Exception {
        HostProcess process = stat(line("x) R 1 2 3 (", 4194560, 777));
        assertEquals(777, process.startTime(), "the last ')' ends comm");
        assertEquals("x) R 1 2 3 (", process.name());
    }

    @Test
    void controlCharactersInANameAreNotPassedOn() throws Exception {
        assertEquals("a?b?", stat(line("a\nb\u001b", 0, 1)).name());
    }

    @Test
    void kernelThreadsAreKnownByTheirFlag() throws Exception {
        assertTrue(stat(line("kworker/0:1", 0x00208040, 5)).kernelThread());
    }

    @Test
    void malformedOrMissingStatIsNoProcess() throws Exception {
        assertNull(stat("42 java S 1"));
        assertNull(stat("42 (java) S 1 2 3"));
        assertNull(stat(line("java", 0, 1).replace(" 1 3797696512", " x 3797696512")), "a start time that is no number");
        assertNull(HostProcess.read(dir.resolve("absent"), 42));
        Random random = new Random(17);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            Files.write(dir.resolve("stat"), bytes);
            HostProcess.read(dir, 42); // never throws for what the file holds
        }
    }
}
