package dev.profguard.it.app;

/**
 * What the application can reach of the running guard. Loads the library at args[0] (the gate
 * then opens jdk.internal.loader and java.io to the agent), then prints:
 * "OPTIONS unreachable" when the application's class loader finds no dev.profguard.config.Config
 * ("OPTIONS null" when it finds a copy of its own that knows nothing of the guard); "LOADER-INTERNALS closed" when jdk.internal.loader is not open to it; "BRIDGE-HOOK closed"
 * when the gate's hook in java.lang.ProfguardBridge cannot be made accessible.
 */
public final class IsolationApp {
    private IsolationApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        System.load(args[0]);
        Object options;
        try { // the agent jar is on the class path (as every agent's) but holds its classes in packs only Agent reads
            options = Class.forName("dev.profguard.config.Config").getMethod("ofThisJvm").invoke(null);
        } catch (ClassNotFoundException e) {
            options = "unreachable";
        }
        System.out.println("OPTIONS " + options);
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
