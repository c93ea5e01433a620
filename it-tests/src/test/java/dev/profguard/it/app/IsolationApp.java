package dev.profguard.it.app;

/**
 * What the application can reach of the running guard. Loads the library at args[0] (the gate
 * then opens jdk.internal.loader and java.io to the agent), then prints:
 * "OPTIONS null" when dev.profguard.config.Config.ofThisJvm() (its own copy) knows nothing of the
 * guard; "LOADER-INTERNALS closed" when jdk.internal.loader is not open to it; "BRIDGE-HOOK closed"
 * when the gate's hook in java.lang.ProfguardBridge cannot be made accessible.
 */
public final class IsolationApp {
    private IsolationApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        System.load(args[0]);
        System.out.println("OPTIONS " + dev.profguard.config.Config.ofThisJvm());
        Module base = Object.class.getModule();
        Module app = IsolationApp.class.getModule();
        System.out.println("LOADER-INTERNALS " + (base.isOpen("jdk.internal.loader", app) ? "open" : "closed"));
        try {
            java.lang.reflect.Field hook = Class.forName("java.lang.ProfguardBridge", false, null).getDeclaredField("hook");
            hook.setAccessible(true);
            System.out.println("BRIDGE-HOOK open");
        } catch (RuntimeException e) { // InaccessibleObjectException
            System.out.println("BRIDGE-HOOK closed");
        }
    }
}
