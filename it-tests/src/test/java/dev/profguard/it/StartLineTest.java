package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tags such as prod-eu count as production (option production takes glob patterns), and at
 * log.level=info one line says what is active and why; enabled=false says once where it was set.
 */
class StartLineTest extends JvmTest {
    @OnEachJdk
    void regionalProductionTagsAreProduction(Jdk jdk) throws Exception {
        for (String tag : new String[]{"prod-eu", "production-us-east-1"}) {
            Run run = Jvm.on(jdk, dir).env("APP_ENV", tag).preload("libmtuner_standin.so").run();
            assertEquals(78, run.exitStatus(), tag + " is production by default\n" + run);
            assertFalse(run.mainRan());
        }
        Run own = Jvm.on(jdk, dir).agentArgs("production=*-live;live").env("APP_ENV", "eu-live")
                .preload("libmtuner_standin.so").run();
        assertEquals(78, own.exitStatus(), own.toString());
        Run preprod = Jvm.on(jdk, dir).env("APP_ENV", "preprod").preload("libmtuner_standin.so").run();
        assertEquals(0, preprod.exitStatus(), preprod.toString());
    }

    @OnEachJdk
    void atInfoOneLineSaysWhatIsActiveAndWhy(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).env("APP_ENV", "prod-eu").env("PROFGUARD_LOG_LEVEL", "info").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan());
        assertEquals("profguard: INFO active in this JVM: env=prod-eu (environment variable APP_ENV): production, matches "
                + "prod-* in option production (default prod;prod-*;production;production-*;prd;prd-*;live;live-*); "
                + "action=refuse; probe loaded; library-load gate installed; watcher every 250 ms, "
                + "runtime.action=neutralize; attach: closed (-XX:+DisableAttachMechanism).", run.onlyProfguardLine());
        Run staging = Jvm.on(jdk, dir).agentArgs("env=preprod-eu,log.level=info,probe=off,watch.interval=0").run();
        assertEquals("profguard: INFO active in this JVM: env=preprod-eu (agent argument): not production, matches "
                + "nothing in option production (default prod;prod-*;production;production-*;prd;prd-*;live;live-*); "
                + "action=refuse; probe off (probe=off); library-load gate installed; watcher off (watch.interval=0); "
                + "attach: closed (-XX:+DisableAttachMechanism).", staging.onlyProfguardLine());
        Run untagged = Jvm.on(jdk, dir).agentArgs("log.level=info").run();
        assertTrue(untagged.onlyProfguardLine().startsWith("profguard: INFO active in this JVM: no environment tag"),
                untagged.toString());
        Run quiet = Jvm.on(jdk, dir).env("APP_ENV", "prod-eu").run();
        assertEquals("", quiet.stderr(), "the default level says nothing on a clean start");
        Run errorsOnly = Jvm.on(jdk, dir).agentArgs("env=staging,log.level=error").preload("libmtuner_standin.so").run();
        assertEquals("", errorsOnly.stderr(), "log.level=error keeps the WARN about a staging client to itself");
        Run refusal = Jvm.on(jdk, dir).agentArgs("env=production,log.level=error").preload("libmtuner_standin.so").run();
        assertEquals(78, refusal.exitStatus());
        assertTrue(refusal.onlyProfguardLine().startsWith("profguard: ERROR MTuner's client"), refusal.toString());
    }

    @OnEachJdk
    void enabledFalseTurnsTheGuardOffWithOneWarningNamingWhere(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).env("APP_ENV", "production").env("PROFGUARD_ENABLED", "false")
                .preload("libmtuner_standin.so").run();
        assertEquals(0, run.exitStatus(), "off: the client is not refused\n" + run);
        assertTrue(run.mainRan());
        assertEquals("profguard: WARN the guard is off in this JVM: enabled=false (environment variable PROFGUARD_ENABLED). "
                + "Nothing is checked (no start-up scan, no library-load gate, no watcher) and health reports DISABLED; "
                + "remove that setting to guard this JVM again.", run.onlyProfguardLine());
        Run property = Jvm.on(jdk, dir).option("-Dprofguard.enabled=false").run();
        assertTrue(property.onlyProfguardLine().contains("enabled=false (system property profguard.enabled)"), property.toString());
        Run malformed = Jvm.on(jdk, dir).agentArgs("enabled=off").run();
        assertEquals(64, malformed.exitStatus(), "a malformed switch never turns the guard off\n" + malformed);
    }
}
