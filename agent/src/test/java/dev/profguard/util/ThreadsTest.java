package dev.profguard.util;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded work on a thread of its own: finished or left, never inheriting the caller's thread locals. */
class ThreadsTest {
    @Test
    void workThatReturnsIsFinished() {
        AtomicBoolean ran = new AtomicBoolean();
        assertTrue(Threads.runBounded(() -> ran.set(true), "test-quick", 10_000));
        assertTrue(ran.get());
    }

    @Test
    void workThatNeverReturnsIsLeftToItselfOnADaemon() throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<Thread> worker = new AtomicReference<>();
        assertFalse(Threads.runBounded(() -> {
            worker.set(Thread.currentThread());
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-stuck", 200));
        assertTrue(worker.get().isDaemon() && worker.get().isAlive());
        never.countDown();
    }

    @Test
    void theCallersInheritableThreadLocalsAreNotCopied() {
        AtomicBoolean childValueRan = new AtomicBoolean();
        InheritableThreadLocal<String> inherited = new InheritableThreadLocal<>() {
            @Override
            protected String childValue(String parentValue) {
                childValueRan.set(true);
                return parentValue;
            }
        };
        inherited.set("caller");
        AtomicReference<String> seen = new AtomicReference<>("unset");
        assertTrue(Threads.runBounded(() -> seen.set(inherited.get()), "test-locals", 10_000));
        assertFalse(childValueRan.get());
        assertNull(seen.get());
        inherited.remove();
    }
}
