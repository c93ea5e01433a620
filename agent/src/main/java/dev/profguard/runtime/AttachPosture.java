package dev.profguard.runtime;

import dev.profguard.act.Exit;
import dev.profguard.config.Config;
import dev.profguard.detect.JvmOptions;
import dev.profguard.log.Logs;
import dev.profguard.probe.Probe;
import dev.profguard.util.Tokens;

import java.io.FileInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether this JVM lets other local processes load agents into it at run time, from its own
 * launch flags: the options variables (JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS first, _JAVA_OPTIONS
 * last) and the command line, the last setting of a flag winning, as the JVM reads them.
 * HotSpot: attach is open unless -XX:+DisableAttachMechanism, which also stops jcmd, jstack and
 * jmap. JDK 21+ (JEP 451) has -XX:-EnableDynamicAgentLoading, which refuses agents loaded through
 * attach and leaves attach's other commands open (heap and thread dumps, JFR). JDK 17 has no flag
 * that closes agents alone. Option {@code attach}: warn (default), ignore, refuse.
 */
public final class AttachPosture {
    /** JDK feature release from which -XX:-EnableDynamicAgentLoading exists (JEP 451). */
    static final int AGENT_FLAG_SINCE = 21;
    private static final int MAX_CMDLINE = 8 << 20; // as ProcFs reads it

    private AttachPosture() {
    }

    /**
     * For a production JVM at start-up: per option {@code attach}, one WARN (warn), nothing
     * (ignore) or a refusal with exit.code (refuse) when agents can be loaded into it at run time.
     * Read from the JVM itself: the arguments it parsed, in its order, as the probe asks it
     * ({@link Probe#vmArguments}): the options variables, the launcher's @argfiles and
     * -XX:VMOptionsFile expanded, what an embedding host passed, and nothing of the program's own
     * arguments. Without the probe (or a JVM that does not say), from the launch flags as the
     * process holds them ({@link #flags}), which those cases can mislead.
     */
    public static void check(Config config, Probe probe) {
        if (!config.attach().equals("ignore")) { // acknowledged: nothing read, nothing said
            check(launchFlags(probe), config);
        }
    }

    /** The JVM's own arguments when the probe has them, else the launch flags read from the process. */
    private static List<String> launchFlags(Probe probe) {
        List<String> arguments = null;
        if (probe != null) {
            try {
                arguments = probe.vmArguments();
            } catch (RuntimeException | LinkageError e) {
                arguments = null; // an older probe or an odd JVM: the process's flags then
            }
        }
        return arguments != null ? arguments : flags(System.getenv(), ownArguments());
    }

    private static void check(List<String> flags, Config config) {
        String open = agentsOpen(flags, Runtime.version().feature());
        if (open == null) {
            return;
        }
        if (config.attach().equals("refuse")) {
            Logs.get(config.logFormat()).atError().addKeyValue("outcome", "refuse").addKeyValue("exit_status", config.exitCode())
                    .log(open + ". attach=refuse: main will not run, exit status " + config.exitCode() + ". "
                            + closeWith(Runtime.version().feature()) + "; or set attach=warn or attach=ignore.");
            Exit.now(config.exitCode());
            return;
        }
        Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "attach_open")
                .log(open + ". " + closeWith(Runtime.version().feature()) + "; or acknowledge it with attach=ignore "
                        + "(the watcher reports what is loaded meanwhile).");
    }

    /** The first half of the line when agents can be loaded at run time, else null (closed, or flags unknown). */
    static String agentsOpen(Map<String, String> env, List<String> arguments, int feature) {
        return agentsOpen(flags(env, arguments), feature);
    }

    private static String agentsOpen(List<String> flags, int feature) {
        if (flags == null || last(flags, "DisableAttachMechanism", false)) {
            return null;
        }
        if (feature >= AGENT_FLAG_SINCE && !last(flags, "EnableDynamicAgentLoading", true)) {
            return null; // agents closed; attach's other commands stay, and they load no code
        }
        return "this production JVM lets local processes of the same user (or root) load agents and native code "
                + "into it at run time through dynamic attach (jcmd PID JVMTI.agent_load), past the start-up checks";
    }

    /** How to close it on this JDK, and what that costs. */
    static String closeWith(int feature) {
        if (feature >= AGENT_FLAG_SINCE) {
            return "Close it with -XX:-EnableDynamicAgentLoading, which keeps jcmd and jstack working (heap dumps "
                    + "through jcmd GC.heap_dump stay possible), or close attach entirely with -XX:+DisableAttachMechanism";
        }
        return "On JDK " + feature + " only -XX:+DisableAttachMechanism closes it, and it also stops jcmd, jstack and "
                + "jmap (JDK 21+ has -XX:-EnableDynamicAgentLoading for agents alone)";
    }

    /** At log.level=info: what attach leaves open in this JVM, in words, or null when the flags cannot be read. */
    public static String describe(Probe probe, int feature) {
        return describe(launchFlags(probe), feature);
    }

    static String describe(Map<String, String> env, List<String> arguments, int feature) {
        return describe(flags(env, arguments), feature);
    }

    private static String describe(List<String> flags, int feature) {
        if (flags == null) {
            return null;
        }
        if (last(flags, "DisableAttachMechanism", false)) {
            return "closed (-XX:+DisableAttachMechanism)";
        }
        if (feature >= AGENT_FLAG_SINCE && !last(flags, "EnableDynamicAgentLoading", true)) {
            return "open for jcmd and jstack, closed to agents (-XX:-EnableDynamicAgentLoading)";
        }
        return "open, agents can be loaded at run time";
    }

    /** This JVM's command line from /proc/self/cmdline (the kernel caps it), or null when it cannot be read. */
    private static List<String> ownArguments() {
        try (InputStream in = new FileInputStream("/proc/self/cmdline")) {
            return Tokens.nulSeparated(in.readNBytes(MAX_CMDLINE));
        } catch (Exception e) { // IOException, not named: the verifier would load it before main (JDK 17)
            return null;
        }
    }

    private static List<String> flags(Map<String, String> env, List<String> arguments) {
        List<String> flags = new ArrayList<>();
        if (env != null) {
            for (String variable : new String[]{"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"}) {
                if (env.get(variable) != null) {
                    flags.addAll(JvmOptions.tokenize(env.get(variable)));
                }
            }
        }
        if (arguments == null || arguments.isEmpty()) {
            return null; // unknown: the incomplete check is already reported; no guess either way
        }
        flags.addAll(arguments);
        if (env != null && env.get("_JAVA_OPTIONS") != null) {
            flags.addAll(JvmOptions.tokenize(env.get("_JAVA_OPTIONS")));
        }
        return flags;
    }

    /** The value of the last -XX:+NAME / -XX:-NAME among the flags, or the default. */
    static boolean last(List<String> flags, String name, boolean fallback) {
        boolean value = fallback;
        for (String flag : flags) {
            if (flag.equals("-XX:+" + name)) {
                value = true;
            } else if (flag.equals("-XX:-" + name)) {
                value = false;
            }
        }
        return value;
    }
}
