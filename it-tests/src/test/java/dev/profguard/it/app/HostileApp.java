package dev.profguard.it.app;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an application could do against the guard, as the red team did (issue #11 and #10).
 * {@code interrupt-watcher}: interrupts the guard's watcher thread, then creates the file named by
 * LATE_DLOPEN_TRIGGER and pauses 3 s. {@code set-hook}: tries to replace the load gate's hook in
 * java.lang.ProfguardBridge, then loads ARG with System.load. {@code forge-state PATH}: holds open
 * an unlinked file named like the guard's published state, claiming PATH was switched off, and
 * waits for a line on stdin. {@code call-bridge}: calls java.lang.ProfguardBridge.load itself and
 * prints "BRIDGE-ANSWER LOADER n" with the class loader of what it returns (or of its class).
 * {@code spy-properties ARGS...}: replaces System's Properties with a subclass whose getProperty
 * walks the stack for any class defined by the guard's loader, and sets an InheritableThreadLocal
 * whose childValue does the same (a thread the guard makes on this thread), loads a fresh copy of
 * each ARG with System.load (the gate judges it, and hashes a file that new), waits 1.5 s (the
 * watcher's looks), then prints "SPIED n" with what it saw. {@code block-health}: replaces
 * System's Properties with a subclass that blocks for ever on the guard's health threads, then
 * calls System.exit(0) after 1.5 s.
 */
public final class HostileApp {
    private HostileApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("block-health")) {
            blockHealth(); // first: before the guard's health thread writes its first status
        }
        System.out.println(HelloApp.MARKER);
        switch (args[0]) {
            case "interrupt-watcher" -> {
                int interrupted = 0;
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    if (thread.getName().equals("profguard-watcher")) {
                        thread.interrupt();
                        interrupted++;
                    }
                }
                System.out.println("INTERRUPTED " + interrupted);
                Thread.sleep(300);
                Files.createFile(Path.of(System.getenv("LATE_DLOPEN_TRIGGER")));
                Thread.sleep(3000);
            }
            case "set-hook" -> {
                try {
                    Class<?> bridge = Class.forName("java.lang.ProfguardBridge");
                    java.lang.reflect.Field hook = bridge.getDeclaredField("hook");
                    hook.setAccessible(true);
                    hook.set(null, null);
                    System.out.println("HOOK-REPLACED");
                } catch (ReflectiveOperationException | RuntimeException e) {
                    System.out.println("HOOK-PROTECTED " + e.getClass().getSimpleName());
                }
                try {
                    System.load(args[1]);
                    System.out.println("LOADED");
                } catch (UnsatisfiedLinkError e) {
                    System.out.println("REFUSED " + e.getMessage());
                }
            }
            case "forge-state" -> {
                Path dir = Files.createTempDirectory("forged");
                Path state = dir.resolve("profguard-state");
                RandomAccessFile file = new RandomAccessFile(state.toFile(), "rw");
                file.write(("profguard-state 1\npid " + ProcessHandle.current().pid() + "\nswitched-off mtuner-client "
                        + args[1] + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                Files.delete(state);
                Files.delete(dir);
                System.out.println("FORGED");
                System.out.flush();
                long end = System.currentTimeMillis() + 60_000;
                while (System.currentTimeMillis() < end && System.in.available() == 0) {
                    Thread.sleep(50);
                }
                file.close();
            }
            case "call-bridge" -> {
                Object answer = Class.forName("java.lang.ProfguardBridge")
                        .getMethod("load", String.class, Object.class, Class.class, String.class)
                        .invoke(null, "jni", null, null, "x");
                Class<?> type = answer instanceof Class<?> c ? c : answer == null ? null : answer.getClass();
                ClassLoader loader = type == null ? null : type.getClassLoader();
                System.out.println("BRIDGE-ANSWER LOADER " + (loader == null ? "boot" : loader.getClass().getName()));
            }
            case "spy-properties" -> {
                java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
                StackWalker walker = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
                Runnable spyStack = () -> walker.forEach(frame -> {
                    ClassLoader loader = frame.getDeclaringClass().getClassLoader();
                    if (loader != null && loader.getClass().getName().startsWith("dev.profguard.")) {
                        seen.add(frame.getClassName());
                    }
                });
                java.util.Properties spy = new java.util.Properties() {
                    @Override
                    public String getProperty(String key) {
                        spyStack.run();
                        return super.getProperty(key);
                    }

                    @Override
                    public String getProperty(String key, String defaultValue) {
                        spyStack.run();
                        return super.getProperty(key, defaultValue);
                    }
                };
                spy.putAll(System.getProperties());
                System.setProperties(spy);
                InheritableThreadLocal<String> inherited = new InheritableThreadLocal<>() {
                    @Override
                    protected String childValue(String parentValue) {
                        spyStack.run();
                        return parentValue;
                    }
                };
                inherited.set("app");
                for (int i = 1; i < args.length; i++) {
                    // a fresh copy: a file changed in the last seconds is hashed by the gate
                    Path copy = Files.createTempDirectory("spy").resolve(Path.of(args[i]).getFileName());
                    Files.copy(Path.of(args[i]), copy);
                    try {
                        System.load(copy.toString());
                        System.out.println("LOADED " + copy.getFileName());
                    } catch (UnsatisfiedLinkError e) {
                        System.out.println("REFUSED " + e.getMessage());
                    }
                }
                Thread.sleep(1500);
                System.out.println("SPIED " + seen.size() + " " + seen);
            }
            case "block-health" -> { // the Properties were replaced first thing, before the marker
                Thread.sleep(1500);
                System.out.println("EXITING");
                System.out.flush();
                System.exit(0);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println(PauseApp.DONE);
    }

    /** System's Properties replaced by a subclass that blocks for ever on the guard's health threads (not the hook's own). */
    private static void blockHealth() {
        java.util.Properties blocking = new java.util.Properties() {
            @Override
            public String getProperty(String key) {
                block();
                return super.getProperty(key);
            }

            @Override
            public String getProperty(String key, String defaultValue) {
                block();
                return super.getProperty(key, defaultValue);
            }

            private void block() {
                String name = Thread.currentThread().getName();
                if (name.startsWith("profguard-health") && !name.endsWith("-stop")) {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        blocking.putAll(System.getProperties());
        System.setProperties(blocking);
    }
}
