package dev.profguard.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random mutations of valid images (hand-made ones and the head of the real libjvm.so) for a
 * bounded time ({@code -Dprofguard.fuzz.seconds}, 20 in CI). The reader must return a result for
 * every input: no exception, no hang (the timeout), no huge allocation (the heap of the test JVM).
 * A failing seed is printed so the case can be replayed.
 */
class ElfSymbolsFuzzTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void mutatedImagesNeverThrowOrHang() throws IOException {
        long seconds = Long.getLong("profguard.fuzz.seconds", 5);
        long seed = Long.getLong("profguard.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        ElfSymbols reader = new ElfSymbols(List.of("rmemInit", "rmemShutDown", "rmemAlloc"));
        List<byte[]> seeds = new ArrayList<>();
        for (boolean is64 : new boolean[]{true, false}) {
            for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                seeds.add(new ElfImage(is64, order).define("rmemInit", "rmemAlloc", "x").importing("rmemShutDown").bytes());
                seeds.add(new ElfImage(is64, order).hashed().define("rmemInit", "rmemAlloc", "x").importing("y").bytes());
            }
        }
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        seeds.add(head(libjvm, 64 * 1024));
        Path libjli = Path.of(System.getProperty("java.home"), "lib", "libjli.so"); // whole, with .gnu.hash
        seeds.add(head(libjli, 1 << 20));
        Path file = dir.resolve("fuzz.so");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long cases = 0;
        while (System.nanoTime() < deadline) {
            byte[] input = seeds.get(random.nextInt(seeds.size())).clone();
            int mutations = 1 + random.nextInt(8);
            for (int m = 0; m < mutations; m++) {
                // Headers and tables sit in the first and last few KiB: aim there two times in three.
                int at = switch (random.nextInt(3)) {
                    case 0 -> random.nextInt(Math.min(input.length, 4096));
                    case 1 -> Math.max(0, input.length - 1 - random.nextInt(Math.min(input.length, 4096)));
                    default -> random.nextInt(input.length);
                };
                switch (random.nextInt(4)) {
                    case 0 -> input[at] = (byte) random.nextInt(256);
                    case 1 -> input[at] = (byte) (random.nextBoolean() ? 0xff : 0x00);
                    case 2 -> input[at] ^= (byte) (1 << random.nextInt(8));
                    default -> input = java.util.Arrays.copyOf(input, Math.max(1, at));
                }
            }
            Files.write(file, input);
            ElfResult result;
            try {
                result = reader.read(file);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("seed " + seed + ", case " + cases + ": " + e, e);
            }
            assertNotNull(result);
            cases++;
        }
        assertTrue(cases > 0, "the fuzz run ran no case");
        System.out.println("ELF fuzz: " + cases + " mutated inputs in " + seconds + " s, seed " + seed);
    }

    private static byte[] head(Path file, int size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(size, channel.size()));
            channel.read(buffer, 0);
            return buffer.array();
        }
    }
}
