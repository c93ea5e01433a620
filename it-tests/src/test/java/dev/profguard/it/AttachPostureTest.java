package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A production JVM with attach open is told so, with the flag that closes it; others are not. */
class AttachPostureTest extends JvmTest {
    @OnEachJdk
    void productionWithAttachOpenGetsOneWarning(Jdk jdk) throws Exception {
        Run open = Jvm.on(jdk, dir).attachOpen().agentArgs("env=production").run();
        assertEquals(0, open.exitStatus(), open.toString());
        assertTrue(open.mainRan());
        assertTrue(open.onlyProfguardLine().startsWith("profguard: WARN this production JVM accepts dynamic attach and "
                + "dynamic agents"), open.toString());
        assertTrue(open.onlyProfguardLine().contains("-XX:+DisableAttachMechanism"));
        Run agentsClosed = Jvm.on(jdk, dir).attachOpen().option("-XX:-EnableDynamicAgentLoading").agentArgs("env=production").run();
        assertTrue(agentsClosed.onlyProfguardLine().startsWith("profguard: WARN this production JVM accepts dynamic attach:"),
                agentsClosed.toString());
        Run viaVariable = Jvm.on(jdk, dir).attachOpen().env("JAVA_TOOL_OPTIONS", "-XX:+DisableAttachMechanism")
                .agentArgs("env=production").run();
        assertEquals(0, viaVariable.profguardLines().size(), "closed through JAVA_TOOL_OPTIONS\n" + viaVariable);
        Run staging = Jvm.on(jdk, dir).attachOpen().agentArgs("env=staging").run();
        assertEquals("", staging.stderr(), "only production JVMs are told\n" + staging);
    }
}
