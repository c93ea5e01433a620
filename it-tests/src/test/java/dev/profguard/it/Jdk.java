package dev.profguard.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A JDK the tests start. Both are required: a missing JDK fails the run (set
 * -Dprofguard.it.jdk17=... / -Dprofguard.it.jdk25=... to point elsewhere), it is never skipped.
 */
public record Jdk(String name, Path home) {
    public static Stream<Jdk> all() {
        return Stream.of(of("JDK 17", "profguard.it.jdk17"), of("JDK 25", "profguard.it.jdk25"));
    }

    private static Jdk of(String name, String property) {
        String home = System.getProperty(property);
        if (home == null) {
            throw new IllegalStateException(property + " is not set: run the tests through Maven (mvn verify)");
        }
        Path java = Path.of(home, "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException(name + " not found at " + java + " (set -D" + property + "=JAVA_HOME)");
        }
        return new Jdk(name, Path.of(home));
    }

    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    @Override
    public String toString() {
        return name;
    }
}
