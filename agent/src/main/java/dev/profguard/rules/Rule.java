package dev.profguard.rules;

import java.util.List;

/**
 * One profiler client's signature.
 *
 * @param id          short stable identifier, e.g. {@code mtuner-client}
 * @param profiler    what users call it, e.g. "MTuner's client (rmem)"
 * @param symbols     exported C symbols of the client's API
 * @param symbolsMin  how many of {@link #symbols} an object must define to be the client
 * @param names       file-name globs of its libraries (weak evidence alone)
 * @param variables   environment variables it reads
 * @param captureFiles file-name globs of the files it writes
 * @param shutdown    its own void(void) function that switches it off in place, or null
 * @param marks       byte strings its code carries even when its symbols are hidden or stripped;
 *                    all of them in one loaded object is the client
 * @param zeroFill    a zero-filled segment at least this large is a sign of it (0: not used)
 * @param captureHeaders the first bytes of its capture files, in lower-case hex: a file that
 *                    starts with one of them is its capture data whatever its name
 * @param refuses     its strength: true (refuse) when strong evidence of it is acted on in
 *                    production per action, false (warn) when it is only warned about
 * @param libraries   file-name globs of libraries that are the tool itself: such a library loaded,
 *                    mapped or named by an existing file is strong evidence (unlike {@link #names})
 * @param settings    {@code NAME=GLOB}: an environment variable whose value matches the glob
 *                    switches the tool on (strong, subject to {@link #requires})
 * @param requires    file-name globs: a {@link #settings} match is strong only while a library
 *                    matching one of them is mapped in the process (weak otherwise); empty: always
 * @param arguments   globs over JVM arguments (command line, argument files, the options
 *                    variables): one matching token is strong evidence
 * @param enabled     false in a rules file's {@code enabled = false}: switches off a built-in rule
 * @param tracers     globs of the names ({@code comm}) of processes tracing it through ptrace
 *                    ({@code TracerPid}): a matching tracer is strong evidence
 * @param slots       imported functions (malloc, free, ...) whose GOT slots in libjvm.so are
 *                    audited: one that points elsewhere than the dynamic linker binds it is strong
 * @param mallctl     boolean allocator controls (jemalloc's {@code opt.prof}) read through the
 *                    process's {@code mallctl}: one that is true is strong
 */
public record Rule(String id, String profiler, List<String> symbols, int symbolsMin,
                   List<String> names, List<String> variables, List<String> captureFiles,
                   String shutdown, List<String> marks, long zeroFill, List<String> captureHeaders,
                   boolean refuses, List<String> libraries, List<String> settings, List<String> requires,
                   List<String> arguments, boolean enabled, List<String> tracers,
                   List<String> slots, List<String> mallctl) {
    public Rule {
        mallctl = List.copyOf(mallctl);
        slots = List.copyOf(slots);
        tracers = List.copyOf(tracers);
        libraries = List.copyOf(libraries);
        settings = List.copyOf(settings);
        requires = List.copyOf(requires);
        arguments = List.copyOf(arguments);
        captureHeaders = List.copyOf(captureHeaders);
        symbols = List.copyOf(symbols);
        names = List.copyOf(names);
        variables = List.copyOf(variables);
        captureFiles = List.copyOf(captureFiles);
        marks = List.copyOf(marks);
    }

    /** Whether a file name (not a path) is one of the tool's own libraries ({@link #libraries}). */
    public boolean isLibrary(String fileName) {
        return Glob.anyMatch(libraries, fileName);
    }

    /** Whether a mapped file name satisfies {@link #requires} (always, when it names nothing). */
    public boolean isRequired(String fileName) {
        return Glob.anyMatch(requires, fileName);
    }

    /** The {@link #arguments} glob a JVM argument matches, or null. */
    public String matchingArgument(String token) {
        for (String glob : arguments) {
            if (Glob.matchesExactly(glob, token)) {
                return glob;
            }
        }
        return null;
    }

    /** The {@link #settings} entry ({@code NAME=GLOB}) the variable {@code name} with this value matches, or null. */
    public String matchingSetting(String name, String value) {
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            if (setting.substring(0, eq).equals(name) && Glob.matchesExactly(setting.substring(eq + 1), value)) {
                return setting;
            }
        }
        return null;
    }

    /** Whether a tracing process's name matches one of {@link #tracers}. */
    public boolean isTracer(String comm) {
        return Glob.anyMatch(tracers, comm);
    }

    /** The word for its strength, as the rules file writes it. */
    public String strengthWord() {
        return refuses ? "refuse" : "warn";
    }

    /** Whether a file name (not a path) matches one of this rule's library name globs. */
    public boolean matchesName(String fileName) {
        return Glob.anyMatch(names, fileName);
    }

    /** Whether the first bytes of a file ({@code length} of them in {@code head}) are one of its capture headers. */
    public boolean matchesCaptureHeader(byte[] head, int length) {
        for (String header : captureHeaders) {
            int bytes = header.length() / 2;
            if (length < bytes) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < bytes && same; i++) {
                same = (head[i] & 0xff) == Integer.parseInt(header.substring(2 * i, 2 * i + 2), 16);
            }
            if (same) {
                return true;
            }
        }
        return false;
    }

    /** Whether a file name (not a path) matches one of this rule's capture file globs. */
    public boolean matchesCaptureFile(String fileName) {
        return Glob.anyMatch(captureFiles, fileName);
    }
}
