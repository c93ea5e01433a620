package dev.profguard.probe;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names are bytes: keys compare them exactly, display never throws and never hides a byte. */
class NamesTest {
    @Test
    void textNamesStayText() {
        byte[] name = "/opt/caf\u00e9/libz.so".getBytes(StandardCharsets.UTF_8);
        assertEquals("/opt/caf\u00e9/libz.so", Names.display(name));
        assertEquals("/opt/caf\u00e9/libz.so", Names.strictUtf8(name));
    }

    @Test
    void bytesThatAreNotTextAreShownEscapedAndKeptExact() {
        byte[] name = {'/', 'l', (byte) 0xff, (byte) 0xc3, '.', 's', 'o'};
        assertNull(Names.strictUtf8(name));
        assertEquals("/l\\xff\\xc3.so", Names.display(name));
        assertArrayEquals(name, Names.fromKey(Names.key(name)));
        byte[] replaced = "/l\ufffd\ufffd.so".getBytes(StandardCharsets.UTF_8);
        assertNotEquals(Names.key(name), Names.key(replaced), "a decoded-and-replaced name is another name");
    }

    /** Bounded random bytes: the key round-trips, display never throws and keeps every valid sequence. */
    @Test
    void arbitraryBytesRoundTrip() {
        long seed = Long.getLong("profguard.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            byte[] name = new byte[random.nextInt(64)];
            random.nextBytes(name);
            assertArrayEquals(name, Names.fromKey(Names.key(name)), "seed " + seed);
            String shown = Names.display(name);
            String strict = Names.strictUtf8(name);
            if (strict != null) {
                assertEquals(strict, shown, "seed " + seed);
                assertTrue(Arrays.equals(name, strict.getBytes(StandardCharsets.UTF_8)), "seed " + seed);
            } else {
                assertTrue(shown.contains("\\x"), "seed " + seed + ": " + Arrays.toString(name));
            }
        }
    }
}
