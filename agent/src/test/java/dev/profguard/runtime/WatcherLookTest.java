package dev.profguard.runtime;

import dev.profguard.act.GuardState;
import dev.profguard.act.StateListener;
import dev.profguard.config.Config;
import dev.profguard.detect.ProcessView;
import dev.profguard.probe.NativeLoader;
import dev.profguard.probe.Probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A look asked for while another is under way (the load gate's, right after a load, beside the
 * watcher thread's own tick) returns only once that look has acted: its caller goes on, and may
 * end the JVM, only after what the load brought in was reported and switched off. In CI the gate's
 * look returned at once, because the watcher thread's look had already taken the new change count,
 * and the JVM ended before that look had said anything (LoadGateRoutesTest, JNI_OnLoad's dlopen).
 */
class WatcherLookTest {
    @TempDir
    Path dir;

    @Test
    void aLookAskedForDuringAnotherWaitsUntilThatOneHasActed() throws Exception {
        Path source = dir.resolve("client.c");
        Files.writeString(source, "int rmemInit(void *p) { return p != 0; }\nvoid rmemShutDown(void) {}\n");
        Path library = dir.resolve("libmtuner-watcher-look.so");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", library.toString(), source.toString())
                .inheritIO().start();
        assumeTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc could not build the stand-in");

        Probe probe = NativeLoader.load(null);
        CountDownLatch acting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StateListener listener = new StateListener() {
            @Override
            public void changed(GuardState state) {
                acting.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS); // the first look stays in the middle of acting
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void counted(Count what) {
            }
        };
        Config config = Config.resolve("env=dev,runtime.action=warn", new Properties(), Map.of());
        Watcher watcher = Watcher.create(config, null, probe, ProcessView.ofThisJvm(probe, System.getenv()), listener, null, null);
        System.load(library.toString()); // the linker's change count moves

        Thread first = new Thread(watcher::tick, "first look");
        first.start();
        assertTrue(acting.await(60, TimeUnit.SECONDS), "the first look found the stand-in and acts on it");
        Thread second = new Thread(watcher::tick, "second look");
        second.start();
        Thread.State state;
        do {
            Thread.onSpinWait();
            state = second.getState();
        } while (state != Thread.State.BLOCKED && state != Thread.State.TERMINATED);
        assertEquals(Thread.State.BLOCKED, state, "the second look returned while the first had not yet acted");
        release.countDown();
        first.join(60_000);
        second.join(60_000);
        assertEquals(List.of(Thread.State.TERMINATED, Thread.State.TERMINATED), List.of(first.getState(), second.getState()));
    }
}
