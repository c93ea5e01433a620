package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.IsolationApp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's classes are defined by a class loader of their own (dev.profguard.Agent): the application's
 * dev.profguard classes are its own copies, and what the agent opens in java.base is not opened
 * to the application's module, also after the gate ran a load (where it opens jdk.internal.loader).
 */
class AgentIsolationTest extends JvmTest {
    @OnEachJdk
    void theApplicationReachesNeitherTheGuardNorWhatItOpened(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production").main(IsolationApp.class, Jvm.fixture("libbenign.so").toString());
        jvm.applicationNativeAccess(); // the application's own System.load
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("OPTIONS null"), run.toString());
        assertTrue(run.stdout().contains("LOADER-INTERNALS closed"), run.toString());
        assertTrue(run.stdout().contains("BRIDGE-HOOK closed"), run.toString());
    }
}
