package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.ProbeInAppLoaderAgent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe's classes outside the agent's own class loader (the shaded jar on an agent's class
 * path, as an embedding would have them): the probe loads on every JDK without the JVM printing
 * a warning, on JDK 24+ through NativeLoader's trampoline on a copy of NativeLoader in a class
 * loader of its own, so that java.lang is never opened to the application's module.
 */
class IsolatedProbeLoadTest extends JvmTest {
    @OnEachJdk
    void theProbeLoadsFromTheApplicationsLoaderWithoutAWarning(Jdk jdk) throws Exception {
        Path agent = dir.resolve("probe-in-app-loader.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", ProbeInAppLoaderAgent.class.getName());
        manifest.getMainAttributes().putValue("Class-Path", AgentJarTest.SHADED.toUri().toString());
        String entry = ProbeInAppLoaderAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(agent), manifest)) {
            out.putNextEntry(new JarEntry(entry));
            try (var in = ProbeInAppLoaderAgent.class.getClassLoader().getResourceAsStream(entry)) {
                in.transferTo(out);
            }
        }
        Run run = Jvm.on(jdk, dir).noAgentOption().option("-javaagent:" + agent).run();
        assertTrue(run.mainRan(), run.toString());
        assertTrue(run.stdout().contains("PROBE LOADED ") && run.stdout().contains("(the application's)"), run.toString());
        assertTrue(run.stdout().contains("java.lang open to it: false"), run.toString());
        assertFalse(run.stderr().contains("WARNING"), run.toString());
    }
}
