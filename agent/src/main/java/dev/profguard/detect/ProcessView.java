package dev.profguard.detect;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One process as the detectors see it. The agent looks at itself, {@code check --pid} at another
 * process, tests at a hand-made tree: the same detectors serve all of them.
 */
public interface ProcessView {
    /** Names the process in messages, e.g. "this JVM" or "process 4242". */
    String name();

    /** Distinct file-backed objects mapped into the process. */
    Readout<List<MappedObject>> mappedObjects();

    /** The process environment. */
    Readout<Map<String, String>> environment();

    /** The process's open file descriptors. */
    Readout<List<OpenFile>> openFiles();

    /** The process's command line as given to {@code exec}. */
    Readout<List<String>> arguments();

    /**
     * A file the process names by an absolute path, as that process sees it: another process may
     * have another root (a container's mount namespace), where the same name is another file.
     */
    default Path file(String absolutePath) {
        return Path.of(absolutePath);
    }

    /**
     * The processes tracing it through ptrace ({@code TracerPid} of its status), by pid, with
     * their names ({@code comm}; "?" when unreadable): of its main thread, or of every thread.
     */
    default Readout<Map<Long, String>> tracers(boolean everyThread) {
        return Readout.of(Map.of());
    }

    /** The process's working directory, through which its relative paths resolve. */
    Path workingDirectory();

    /**
     * A path through which the bytes of a mapped object can be read even if its file was deleted
     * or replaced, or null.
     */
    Path contentOf(MappedObject object);

    /**
     * This JVM as its guard sees it ({@link ProcFs#guarded}). Here, as an interface's static
     * method, so that a class holding a view need not load ProcFs or this interface to be verified.
     */
    static ProcessView ofThisJvm(dev.profguard.probe.Probe probe, Map<String, String> atStart) {
        return ProcFs.guarded(probe, atStart);
    }
}
