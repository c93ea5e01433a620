package dev.profguard.runtime;

import dev.profguard.detect.JvmOptions;
import dev.profguard.detect.ProcessView;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether this JVM accepts dynamic attach and dynamic agents, from its own launch flags: the
 * options variables (JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS first, _JAVA_OPTIONS last) and the
 * command line, the last setting of a flag winning, as the JVM reads them. HotSpot's defaults:
 * attach open (DisableAttachMechanism false); dynamic agents allowed (EnableDynamicAgentLoading,
 * JDK 21+, true with a warning).
 */
public final class AttachPosture {
    private AttachPosture() {
    }

    /** The WARN line for a production JVM, or null when attach is closed or its flags cannot be read. */
    public static String warning(ProcessView view) {
        List<String> flags = new ArrayList<>();
        Map<String, String> env = view.environment().value();
        if (env != null) {
            for (String variable : new String[]{"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"}) {
                if (env.get(variable) != null) {
                    flags.addAll(JvmOptions.tokenize(env.get(variable)));
                }
            }
        }
        List<String> arguments = view.arguments().value();
        if (arguments == null || arguments.isEmpty()) {
            return null; // unknown: the incomplete check is already reported; no guess either way
        }
        flags.addAll(arguments);
        if (env != null && env.get("_JAVA_OPTIONS") != null) {
            flags.addAll(JvmOptions.tokenize(env.get("_JAVA_OPTIONS")));
        }
        boolean attachClosed = last(flags, "DisableAttachMechanism", false);
        if (attachClosed) {
            return null;
        }
        boolean agentsAllowed = last(flags, "EnableDynamicAgentLoading", true);
        return "this production JVM accepts dynamic attach" + (agentsAllowed ? " and dynamic agents" : "")
                + ": a local process of the same user can load agents and native code into it (jcmd, JVMTI), "
                + "past the start-up checks. Close it at launch with -XX:+DisableAttachMechanism"
                + (agentsAllowed ? " (dynamic agents alone: -XX:-EnableDynamicAgentLoading, JDK 21+)" : "")
                + "; the watcher reports what is loaded meanwhile.";
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
