package dev.profguard.it.app;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * Reads profguard's MXBean from inside the guarded JVM: "MXBEAN status outcome", then
 * "MXBEAN-LOADER" with the class loader the MBean server names for it.
 */
public final class MBeanApp {
    private MBeanApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.profguard:type=Guard");
        long deadline = System.currentTimeMillis() + 20_000;
        while (!server.isRegistered(name) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        System.out.println("MXBEAN " + server.getAttribute(name, "Status") + " " + server.getAttribute(name, "Outcome")
                + " " + ((String[]) server.getAttribute(name, "Findings")).length);
        ClassLoader loader = server.getClassLoaderFor(name);
        System.out.println("MXBEAN-LOADER " + (loader == null ? "boot" : loader.getClass().getName()));
    }
}
