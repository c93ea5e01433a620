package dev.profguard.maven;

import dev.profguard.detect.Finding;
import dev.profguard.detect.Strength;
import dev.profguard.rules.RuleSet;
import dev.profguard.rules.RulesException;
import dev.profguard.scan.Scan;
import dev.profguard.scan.ScanFinding;
import dev.profguard.scan.ScanReports;
import dev.profguard.scan.ScanResult;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code profguard:scan}: the build gate. Scans the project's artifact and its runtime
 * dependencies (jars, and the native libraries, archives and images inside them) with the same
 * engine as {@code java -jar profguard-agent.jar scan}, writes {@code profguard-scan.sarif} and
 * {@code profguard-scan.json} in the build directory, and fails the build on a finding.
 */
@Mojo(name = "scan", defaultPhase = LifecyclePhase.VERIFY, requiresDependencyResolution = ResolutionScope.RUNTIME,
        threadSafe = true)
public class ScanMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    /** Which findings fail the build: {@code strong} (the client's code), {@code weak} (also names and shapes), or {@code never}. */
    @Parameter(property = "profguard.failOn", defaultValue = "strong")
    private String failOn;

    /** Whether something that could not be inspected (a broken archive, a bound exceeded) fails the build. */
    @Parameter(property = "profguard.failOnNotInspected", defaultValue = "true")
    private boolean failOnNotInspected;

    /** Extra rules, as for the command's {@code --rules}. */
    @Parameter(property = "profguard.rules")
    private File rules;

    /** More files or directories to scan beside the artifact and its dependencies (e.g. a distribution). */
    @Parameter
    private List<File> paths = new ArrayList<>();

    @Parameter(property = "profguard.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${project.build.directory}", readonly = true)
    private File outputDirectory;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("profguard: scan skipped (profguard.skip)");
            return;
        }
        String level = failOn == null ? "strong" : failOn.toLowerCase(Locale.ROOT);
        if (!List.of("strong", "weak", "never").contains(level)) {
            throw new MojoExecutionException("profguard: failOn is strong, weak or never, not '" + failOn + "'");
        }
        RuleSet ruleSet;
        try {
            ruleSet = RuleSet.load(rules == null ? null : rules.toPath());
        } catch (RulesException e) {
            throw new MojoExecutionException("profguard: rules " + rules + ": " + e.getMessage(), e);
        }
        List<Path> targets = new ArrayList<>();
        File own = project.getArtifact() == null ? null : project.getArtifact().getFile();
        if (own != null && own.isFile()) {
            targets.add(own.toPath());
        }
        for (Artifact artifact : project.getArtifacts()) {
            if (artifact.getFile() != null && artifact.getArtifactHandler().isAddedToClasspath()) {
                targets.add(artifact.getFile().toPath());
            }
        }
        for (File path : paths) {
            targets.add(path.toPath());
        }
        ScanResult result;
        try (Scan scan = new Scan(ruleSet)) {
            Path base = project.getBasedir().toPath().toAbsolutePath();
            for (Path target : targets) {
                // Files of the project by their path in it: SARIF then places them in the repository.
                Path absolute = target.toAbsolutePath();
                scan.scan(absolute, absolute.startsWith(base) ? base.relativize(absolute).toString() : absolute.toString());
            }
            result = scan.result();
        }
        String version = version();
        try {
            Path out = Files.createDirectories(outputDirectory.toPath());
            Files.writeString(out.resolve("profguard-scan.sarif"),
                    ScanReports.sarif(result, ruleSet, version, project.getBasedir().toPath()) + "\n");
            Files.writeString(out.resolve("profguard-scan.json"), ScanReports.json(result, version) + "\n");
        } catch (IOException e) {
            throw new MojoExecutionException("profguard: cannot write the scan reports in " + outputDirectory + ": "
                    + e.getMessage(), e);
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            ScanReports.text(result, print);
        }
        boolean failStrong = !level.equals("never") && result.hasStrong();
        boolean failWeak = level.equals("weak") && !result.findings().isEmpty();
        boolean failProblems = failOnNotInspected && !result.problems().isEmpty();
        for (String line : text.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("profguard: found") || line.startsWith("profguard: cannot inspect")) {
                getLog().error(line);
            } else {
                getLog().info(line);
            }
        }
        if (failStrong || failWeak || failProblems) {
            long strong = result.findings().stream().map(ScanFinding::finding).map(Finding::strength)
                    .filter(s -> s == Strength.STRONG).count();
            throw new MojoFailureException("profguard: the build would ship " + (failStrong || failWeak
                    ? strong + " strong and " + (result.findings().size() - strong) + " weak finding(s) of a native "
                    + "memory profiler's client" : "files that could not be inspected") + " (" + targets.size()
                    + " artifacts scanned; reports in " + outputDirectory + "/profguard-scan.sarif and .json). "
                    + "Remove it from the dependencies, or set failOn/failOnNotInspected to accept it.");
        }
    }

    private static String version() {
        String version = Scan.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }
}
