package dev.profguard.util;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The gate's SHA-256 against FIPS 180-4's examples and the JDK's MessageDigest. */
class Sha256Test {
    private static String hex(byte[] bytes, int... pieces) {
        Sha256 sha = new Sha256();
        int at = 0;
        for (int piece : pieces) {
            sha.update(bytes, at, piece);
            at += piece;
        }
        sha.update(bytes, at, bytes.length - at);
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void knownAnswers() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(new byte[0]));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex("abc".getBytes()));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes(), 7, 30));
    }

    /** Every length around the block and padding edges, in pieces of every size, as MessageDigest says. */
    @Test
    void agreesWithMessageDigest() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length < 300; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(bytes);
            Sha256 whole = new Sha256();
            whole.update(bytes, 0, length);
            assertArrayEquals(expected, whole.digest(), "length " + length);
            Sha256 pieces = new Sha256();
            for (int at = 0; at < length; ) {
                int n = Math.min(length - at, 1 + random.nextInt(70));
                pieces.update(bytes, at, n);
                at += n;
            }
            assertArrayEquals(expected, pieces.digest(), "length " + length + " in pieces");
        }
        byte[] big = new byte[1 << 20];
        random.nextBytes(big);
        Sha256 sha = new Sha256();
        sha.update(big, 0, big.length);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(big), sha.digest());
    }
}
