package dev.profguard.probe;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Sha256Test {
    @Test
    void agreesWithTheJdkOnEveryPaddingBoundaryAndRandomInputs() throws Exception {
        MessageDigest jdk = MessageDigest.getInstance("SHA-256");
        Random random = new Random(7);
        int[] lengths = {0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 20_000, 65_537};
        for (int length : lengths) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            assertEquals(HexFormat.of().formatHex(jdk.digest(data)), Sha256.hex(data), "length " + length);
        }
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.hex(new byte[0]));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.hex("abc".getBytes()));
    }
}
