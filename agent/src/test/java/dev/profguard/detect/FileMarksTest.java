package dev.profguard.detect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FileMarksTest {
    @TempDir
    Path dir;

    @Test
    void findsMarksAnywhereIncludingAcrossChunkBoundaries() throws IOException {
        byte[] bytes = new byte[200_000];
        put(bytes, 10, "mtuner_capture_");
        put(bytes, 64 * 1024 - 3, ".MTuner"); // split across the first two 64 KiB reads
        Path file = Files.write(dir.resolve("lib.so"), bytes);
        assertEquals(List.of("mtuner_capture_", ".MTuner"), FileMarks.find(file, List.of("mtuner_capture_", ".MTuner", "absent")));
        assertEquals(List.of(), FileMarks.find(Files.write(dir.resolve("empty"), new byte[0]), List.of("x")));
    }

    @Test
    void readsNoFurtherThanTheLimit() throws IOException {
        Path big = dir.resolve("big.so");
        try (var out = Files.newOutputStream(big)) {
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < FileMarks.LIMIT; written += zeros.length) {
                out.write(zeros);
            }
            out.write("late-mark".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(List.of(), FileMarks.find(big, List.of("late-mark")), "past 64 MiB is not read");
    }

    @Test
    void missingFileIsAnIoError() {
        assertThrows(IOException.class, () -> FileMarks.find(dir.resolve("absent"), List.of("x")));
    }

    private static void put(byte[] into, int at, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, into, at, bytes.length);
    }

    /** The skipping search finds exactly what a naive one finds, on random bytes with planted marks. */
    @Test
    void theSkippingSearchAgreesWithANaiveOne() {
        long seed = Long.getLong("profguard.fuzz.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        for (int round = 0; round < 3000; round++) {
            byte[][] needles = new byte[1 + random.nextInt(3)][];
            for (int n = 0; n < needles.length; n++) {
                needles[n] = new byte[1 + random.nextInt(16)];
                for (int k = 0; k < needles[n].length; k++) {
                    needles[n][k] = (byte) ('a' + random.nextInt(3)); // a small alphabet: many near misses
                }
            }
            byte[] hay = new byte[random.nextInt(300)];
            for (int k = 0; k < hay.length; k++) {
                hay[k] = (byte) ('a' + random.nextInt(3));
            }
            boolean[] found = new boolean[needles.length];
            FileMarks.search(hay, hay.length, needles, FileMarks.shifts(needles), found);
            for (int n = 0; n < needles.length; n++) {
                boolean naive = false;
                for (int i = 0; i + needles[n].length <= hay.length && !naive; i++) {
                    naive = java.util.Arrays.equals(hay, i, i + needles[n].length, needles[n], 0, needles[n].length);
                }
                org.junit.jupiter.api.Assertions.assertEquals(naive, found[n], "seed " + seed + ", round " + round);
            }
        }
    }
}
