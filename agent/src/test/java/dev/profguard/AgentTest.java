package dev.profguard;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The pack of start classes as the Agent loader reads it; anything malformed is no pack (the jar's entries then). */
class AgentTest {
    private static void entry(ByteArrayOutputStream out, String name, byte[] bytes, int declaredLength) {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        out.write(ascii.length >>> 8);
        out.write(ascii.length);
        out.writeBytes(ascii);
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write(declaredLength >>> shift);
        }
        out.writeBytes(bytes);
    }

    @Test
    void indexesEachClassOfAPack() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entry(out, "dev.profguard.A", new byte[]{1, 2, 3}, 3);
        entry(out, "dev.profguard.B$C", new byte[300], 300);
        byte[] pack = out.toByteArray();
        Map<String, int[]> index = Agent.index(pack);
        assertEquals(2, index.size());
        int[] a = index.get("dev.profguard.A");
        assertArrayEquals(new byte[]{1, 2, 3}, Arrays.copyOfRange(pack, a[0], a[0] + a[1]));
        assertArrayEquals(new int[]{2 + 15 + 4 + 3 + 2 + 17 + 4, 300}, index.get("dev.profguard.B$C"));
        assertEquals(Map.of(), Agent.index(new byte[0]));
    }

    @Test
    void aMalformedPackIsNone() {
        ByteArrayOutputStream tooLong = new ByteArrayOutputStream();
        entry(tooLong, "dev.profguard.A", new byte[]{1, 2, 3}, 4); // a length past the end
        assertNull(Agent.index(tooLong.toByteArray()));
        ByteArrayOutputStream negative = new ByteArrayOutputStream();
        entry(negative, "dev.profguard.A", new byte[]{1}, -1);
        assertNull(Agent.index(negative.toByteArray()));
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        entry(empty, "dev.profguard.A", new byte[0], 0);
        assertNull(Agent.index(empty.toByteArray()));
        ByteArrayOutputStream unnamed = new ByteArrayOutputStream();
        entry(unnamed, "", new byte[]{1}, 1);
        assertNull(Agent.index(unnamed.toByteArray()));
        byte[] good = goodPack();
        for (int cut = 1; cut < good.length; cut++) { // every truncation
            Map<String, int[]> index = Agent.index(Arrays.copyOf(good, cut));
            assertNull(index, "cut at " + cut);
        }
        assertNull(Agent.index(new byte[]{0})); // half a name length
    }

    private static byte[] goodPack() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entry(out, "dev.profguard.A", new byte[]{1, 2, 3}, 3);
        return out.toByteArray();
    }
}
