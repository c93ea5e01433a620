package dev.profguard.it.app;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;

/**
 * Makes native heap calls (zlib's malloc/free through Deflater) and reports whether MTuner's
 * capture files grew meanwhile and whether any is still open: "CAPTURE before after open".
 */
public final class HeapApp {
    private HeapApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        long before = captureBytes();
        for (int i = 0; i < 3000; i++) {
            Deflater deflater = new Deflater();
            deflater.setInput(new byte[64]);
            deflater.finish();
            deflater.deflate(new byte[128]);
            deflater.end();
        }
        Thread.sleep(200);
        long after = captureBytes();
        int open = 0;
        File[] fds = new File("/proc/self/fd").listFiles();
        for (File fd : fds == null ? new File[0] : fds) {
            try {
                if (Files.readSymbolicLink(fd.toPath()).toString().endsWith(".MTuner")) {
                    open++;
                }
            } catch (Exception e) {
                // closed meanwhile
            }
        }
        System.out.println("CAPTURE " + before + " " + after + " " + open);
    }

    private static long captureBytes() throws Exception {
        long total = 0;
        try (var files = Files.list(Path.of("."))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().endsWith(".MTuner")) {
                    total += Files.size(file);
                }
            }
        }
        return total;
    }
}
