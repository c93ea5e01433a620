package dev.profguard.it.app;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a file named ARG that starts with MTuner's capture header once main runs (what a client
 * the guard does not see would leave), then pauses 2.5 s for the watcher, and prints MAIN-DONE.
 */
public final class CaptureWriterApp {
    private CaptureWriterApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        Thread.sleep(200);
        Files.write(Path.of(args[0]), new byte[]{0x00, 0x40, 0x01, 0x02, 0x03, 0x40, 0x42, 0x0f, 0, 0, 0, 0, 0});
        Thread.sleep(2500);
        System.out.println(PauseApp.DONE);
    }
}
