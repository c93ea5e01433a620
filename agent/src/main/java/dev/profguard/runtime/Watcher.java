package dev.profguard.runtime;

import dev.profguard.act.Actions;
import dev.profguard.act.StateListener;
import dev.profguard.config.Config;
import dev.profguard.detect.Evidence;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Locations;
import dev.profguard.detect.MappedObject;
import dev.profguard.detect.OpenFile;
import dev.profguard.detect.ProcessView;
import dev.profguard.detect.MappedObjectDetector;
import dev.profguard.detect.PatchedSlots;
import dev.profguard.detect.ProbeDetector;
import dev.profguard.detect.Source;
import dev.profguard.detect.Strength;
import dev.profguard.log.Logs;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Surface;
import dev.profguard.policy.Verdict;
import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;
import org.slf4j.Logger;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Notices what slips in after start-up (native code calling dlopen or dlmopen behind the load
 * gate, a JVMTI agent attached at run time). Every watch.interval it asks the probe's change
 * counter and looks again only when objects were loaded or unloaded: at the linker's objects it
 * has not seen, by identity (name and load address, so a path reused by another object is new),
 * and at the code mappings of /proc/self/maps by device and inode (what another link-map
 * namespace holds is there only). Without the probe it compares the maps every time. Its
 * baseline is exactly what the start-up scan inspected. A client switched off in place stays
 * watched: a capture file it opens again is acted on again. What it finds is decided by the one
 * {@link Policy} (surface LATE) and carried out by {@link Actions#late}. A daemon thread that
 * survives its own failures.
 */
public final class Watcher implements Runnable {
    private static final List<String> JVMTI_ENTRY = List.of("Agent_OnAttach", "Agent_OnLoad");

    private final Config config;
    /** Null for the built-in ones (after a clean start): RuleSet.orBuiltIn's one instance, asked at each look that needs them. */
    private final RuleSet rules;
    private final Probe probe;
    /** Null until the first look after a clean start (made on the watcher's thread, not before main). */
    private ProcessView view;
    private final StateListener listener;
    /** After a clean start: the linker's list as the probe's scan saw it, read at the first look. */
    private byte[] pendingBaseline;
    private final Set<String> knownObjects = new HashSet<>();
    private final Set<String> knownMappings = new HashSet<>();
    /** Objects already acted on: not re-judged each time the linker's list moves. */
    private final Set<String> reported = new HashSet<>();
    /** The probe's change counter when the last look began (read and set under the lock). */
    private long lastCount;
    /**
     * The counter as of the last look that has ended, acted on what it found included: what
     * {@link #tick} compares without the lock. Not {@link #lastCount}, which a look sets as it
     * begins: a tick that saw it would return while that look, on another thread, had not yet
     * reported or switched off anything, and its caller (the load gate, right after a load) could
     * end the JVM before it did.
     */
    private volatile long lookedCount;
    /**
     * The counter as of the last look for capture data: {@link #tickAtEnd} compares this, not
     * {@link #lookedCount}, which any look advances (a tick's, the gate's after a load), and most
     * do not look for capture data (red team round 20: a client's whole life, then a load whose
     * dependency made the gate tick, and its capture file was never looked for).
     */
    private volatile long capturedCount;
    private boolean switchedOff;
    /** The looks of the JVM's end (set once, by its hook): a client that cannot be switched off then would write at exit. */
    private volatile boolean ending;
    /** A client found and left active because it could not be switched off (its verdict): not let write at the JVM's end. */
    private Verdict unswitched;
    /** Capture data is looked for every this many ticks (every tick once a client was switched off). */
    private static final int CAPTURE_EVERY = 5;
    /**
     * Every this many ticks the watcher looks even when the linker's change counter did not move:
     * the counter lives in ld.so's writable data, and native code in the process can put it back
     * (a red-team round loaded a client and unloaded another, then reset it). About 1 ms each time.
     */
    private static final int LOOK_ANYWAY_EVERY = 20;
    private static final int MAX_NAMES = 10_000;
    private final Set<String> seenDescriptors = new HashSet<>();
    /**
     * Each working-directory name as it was last judged: its identity (device, inode, size, change
     * time). A name is judged again whenever that changes: judged once by name, an empty file made
     * early and dated back was never judged again once a client appended its capture to it (red
     * team round 20).
     */
    private final Map<String, Object> seenNames = new HashMap<>();
    /** When the guard began to watch (after its start-up scan): what is written after it is new. */
    private final long started;
    private long ticks;
    private boolean faultReported;

    private Watcher(Config config, RuleSet rules, Probe probe, ProcessView view, StateListener listener, long started) {
        this.config = config;
        this.started = started;
        this.rules = rules;
        this.probe = probe;
        this.view = view;
        this.listener = listener;
    }

    /**
     * Starts the watcher unless watch.interval is 0; returns it, or null.
     *
     * @param inspected the loaded objects the start-up scan judged (its baseline), or null to take them now
     */
    public static Watcher start(Config config, RuleSet rules, Probe probe, ProcessView view, StateListener listener,
                                List<LoadedObject> inspected, List<MappedObject> mapped, Verdict atStart) {
        if (config.watchIntervalMillis() == 0) {
            return null;
        }
        Watcher watcher = create(config, rules, probe, view, listener, inspected, mapped);
        for (Finding finding : atStart.findings()) { // said at start-up already: not said again
            if (finding.strength() == Strength.STRONG && finding.path() != null) {
                watcher.reported.add(finding.path());
            }
        }
        // switched off at start-up: watched from the first tick, like one the watcher switched off
        watcher.switchedOff = atStart.outcome() == Outcome.NEUTRALIZED;
        Thread thread = new Thread(watcher, "profguard-watcher");
        thread.setDaemon(true); // never keeps the JVM alive
        thread.start();
        return watcher;
    }

    /**
     * The watcher after a start whose scan (the probe's) found nothing, made on its own thread
     * ({@link RuntimeGuard#watchAfterCleanScan}), which then runs it. Nothing of its baseline is
     * read before main: the linker's list as the scan saw it ({@code baseline}, unparsed) becomes
     * its known objects at its first look, and no code mapping is known but those of the objects
     * the linker lists, since the scan found no other (start_scan.c).
     */
    static Watcher afterCleanScan(Config config, RuleSet rules, Probe probe, StateListener listener, byte[] baseline,
                                  long count, long started) {
        // started: the start's end, not this watcher's making, an interval later
        Watcher watcher = new Watcher(config, rules, probe, null, listener, started);
        watcher.pendingBaseline = baseline;
        // The change count taken just before the baseline was listed: the first look comes with the
        // first load or unload after it, like any other; while nothing changes the baseline is not
        // even parsed (a first look at once cost a burst of CPU beside main). -1: the C library
        // cannot count, so the first tick looks.
        watcher.lastCount = count < 0 ? -2 : count;
        watcher.lookedCount = watcher.lastCount;
        watcher.capturedCount = watcher.lastCount;
        return watcher;
    }

    Config config() {
        return config;
    }

    Probe probe() {
        return probe;
    }

    /** Whether it judges by the built-in rules alone (what the probe's first look knows). */
    boolean builtInRules() {
        return rules == null || rules == RuleSet.orBuiltIn(null);
    }

    /** The baseline a clean start left, now that the watcher runs beside main. */
    private void takePendingBaseline() {
        if (view == null) {
            view = ProcessView.ofThisJvm(probe, config.startEnvironment());
        }
        if (pendingBaseline != null) {
            Map<Long, MappedObject> byStart = byStart(mappedCode());
            for (LoadedObject object : probe.loadedObjects(pendingBaseline)) {
                knownObjects.add(identity(object, byStart));
            }
            pendingBaseline = null;
        }
    }

    /**
     * A watcher whose baseline is what the start-up scan inspected ({@code inspected} objects and
     * {@code mapped} mappings), or what is there now when those are null; without a thread (the
     * benchmarks tick it).
     */
    public static Watcher create(Config config, RuleSet rules, Probe probe, ProcessView view, StateListener listener,
                                 List<LoadedObject> inspected, List<MappedObject> mapped) {
        Watcher watcher = new Watcher(config, rules, probe, view, listener, System.currentTimeMillis());
        List<MappedObject> code = mapped == null ? watcher.mappedCode() : executable(mapped);
        if (probe != null) {
            // -2: the first tick looks even if nothing changes, for what came between the scan and now
            watcher.lastCount = inspected == null ? probe.changeCount() : -2;
            watcher.lookedCount = watcher.lastCount;
            watcher.capturedCount = watcher.lastCount;
            Map<Long, MappedObject> byStart = byStart(code);
            for (LoadedObject object : inspected == null ? probe.loadedObjects() : inspected) {
                watcher.knownObjects.add(identity(object, byStart));
            }
        }
        for (MappedObject object : code) {
            watcher.knownMappings.add(identity(object));
        }
        return watcher;
    }

    @Override
    public void run() {
        run(true);
    }

    /** Ticks for ever, each after an interval's sleep; the first without one unless {@code sleepFirst}. */
    void run(boolean sleepFirst) {
        boolean sleep = sleepFirst;
        while (true) { // a daemon: it ends with the JVM, and only then
            try {
                if (sleep) {
                    Thread.sleep(config.watchIntervalMillis());
                }
                sleep = true;
                if (++ticks % LOOK_ANYWAY_EVERY == 0) {
                    look(true);
                } else {
                    tick();
                }
                if (switchedOff || ticks % CAPTURE_EVERY == 0) {
                    lookForCaptureData();
                }
                if (listener != null) {
                    listener.counted(StateListener.Count.WATCHER_TICK);
                }
            } catch (Throwable t) { // InterruptedException not named: the verifier would load it before main
                if (t instanceof InterruptedException) {
                    // Not ours to be stopped by: an interrupt from the application must not end the watch.
                    // A daemon, it ends with the JVM.
                    continue;
                }
                if (!faultReported) { // its own failure is said once, and the watch goes on
                    faultReported = true;
                    if (dev.profguard.Agent.ownClassFailure(t)) {
                        // not a passing fault: a class of ours the jar cannot give fails every look
                        dev.profguard.Agent.damaged(t, false);
                    } else {
                        log().warn("the runtime watcher failed once and keeps watching: {}", String.valueOf(t));
                    }
                }
            }
        }
    }

    /**
     * One look at what is loaded; nearly free while nothing was loaded or unloaded (capture data is
     * looked for apart): then one read of the probe's counter and no lock. Also called by the load
     * gate right after a load, hence the look itself is synchronized.
     */
    public void tick() {
        if (probe != null && probe.changeCount() == lookedCount) {
            return; // nothing loaded or unloaded since the last look (or, after a clean start, since the baseline)
        }
        look(false); // waits for a look under way, then looks only if the count moved since that one began
    }

    /**
     * The JVM's end when the probe's first look flags nothing: a tick, and when the linker's list
     * moved since the last look, a look for capture data too. A client loaded, recording, shut down
     * and unloaded since then leaves nothing loaded or open for the first look, only its capture
     * file in the working directory (red team, round 19).
     */
    void tickAtEnd() {
        ending = true;
        try {
            long count = probe == null ? -1 : probe.changeCount();
            boolean explained = probe != null && RuntimeGuard.isExplained(count);
            if (probe == null || count != lookedCount && !explained) {
                look(false);
            }
            if (probe == null || count != capturedCount && !explained) {
                lookForCaptureData();
            }
        } finally {
            endUnswitched(); // whatever the looks met (round 22: a look that failed skipped it)
        }
    }

    /**
     * A client found earlier that could not be switched off (its API hidden) writes what it
     * buffered in its exit code: at the JVM's end it is not let run (red team round 20), the JVM
     * is ended as a halt ends it. Not without the probe, whose _exit is what skips that code.
     */
    private synchronized void endUnswitched() {
        Verdict left = unswitched;
        if (left != null && probe != null) {
            unswitched = null;
            Actions.late(new Verdict(Outcome.HALT, left.findings(), left.reason()
                    + "; the JVM is ending, and is ended without running the client's exit code"), config, view,
                    new Evidence(RuleSet.orBuiltIn(rules), probe), probe, listener, true);
        }
    }

    /** The JVM's end when the probe's first look flags something ({@link RuntimeGuard#lastLook}): a whole look, the counter notwithstanding, then capture data. */
    void lookAtEnd() {
        ending = true;
        try {
            look(true);
            lookForCaptureData();
        } finally {
            endUnswitched();
        }
    }

    /** The look itself; {@code anyway}: even when the linker's change counter did not move. */
    private synchronized void look(boolean anyway) {
        takePendingBaseline();
        long count = lastCount;
        if (probe != null) {
            count = probe.changeCount();
            if (count == lastCount && !anyway) {
                lookedCount = count; // a look that began at this count has ended (or failed, and was said)
                return;
            }
            lastCount = count;
        }
        Evidence evidence = new Evidence(RuleSet.orBuiltIn(rules), probe).startedWith(view);
        List<Finding> findings = new ArrayList<>();
        List<MappedObject> code = mappedCode();
        List<LoadedObject> loaded = probe == null ? List.of() : probe.loadedObjects();
        if (probe != null) {
            LoadedObject self = probe.self();
            Map<Long, MappedObject> byStart = byStart(code);
            boolean reread = false;
            for (LoadedObject object : loaded) {
                boolean judgeable = evidence.isJudgeable(object, self);
                if (judgeable && !reread && !byStart.containsKey(object.base())) {
                    reread = true; // once a tick at most
                    // Loaded after the maps were read (gdb's injection does this): read them again, or
                    // the next tick would know it by its inode as another object and report it twice.
                    code = mappedCode();
                    byStart = byStart(code);
                }
                if (knownObjects.add(identity(object, byStart)) && judgeable) {
                    findings.addAll(ProbeDetector.judge(evidence, object, "loaded after start-up", ProbeDetector.byHeader(code)));
                    reportJvmtiAgent(object);
                } else if (judgeable && !Locations.isSystem(object.path()) && !reported.contains(object.path())) {
                    // Known by name, address and inode, but the linker's list changed: an object unloaded
                    // and another loaded in its place can match all three. Ask the linker again (its
                    // memory, not the file: nothing anyone can set on disk is trusted here).
                    List<Finding> again = strongOnly(evidence.library(Source.LOADED_OBJECT, object.path(), object.name(),
                            null, object.zeroFill(), "loaded after start-up in the place of an object known before", false));
                    findings.addAll(again);
                    evidence.judgedAsLoaded(object);
                } else if (judgeable) {
                    evidence.judgedAsLoaded(object); // its code mapped under its real path is the linker's
                } else if (object.isFile()) {
                    evidence.judgedAsLoaded(object); // the probe itself
                }
            }
        }
        List<Evidence.LinkerSpan> linker = evidence.linkerSpans(code);
        for (MappedObject object : code) {
            if (knownMappings.add(identity(object)) && !Evidence.answeredByLinker(object, linker)) {
                findings.addAll(MappedObjectDetector.judge(view, evidence, object, "mapped after start-up"
                        + (probe == null ? "" : ", unseen by the dynamic linker's list (another link-map namespace)")));
            }
        }
        if (probe != null) { // the linker's list changed: an injector may have rewritten libjvm.so's heap slots
            for (Finding slot : PatchedSlots.audit(evidence, loaded)) {
                if (slot.path() == null || !reported.contains(slot.path()) && !strongAbout(findings, slot.path())) {
                    findings.add(slot); // what another rule already named (heaptrack's injection) is said once
                }
            }
        }
        act(findings, evidence);
        lookedCount = count;
    }

    private void act(List<Finding> findings, Evidence evidence) {
        for (int i = findings.size() - 1; i >= 0; i--) { // what the gate said as it let the object load
            Finding finding = findings.get(i);
            if (finding.path() != null && finding.rule() != null
                    && RuntimeGuard.wasSaidAtLoad(finding.path(), finding.rule(), finding.strength() == Strength.STRONG)) {
                findings.remove(i);
            }
        }
        if (findings.isEmpty()) {
            return;
        }
        for (Finding finding : findings) {
            if (finding.strength() == Strength.STRONG && finding.path() != null) {
                reported.add(finding.path());
            }
        }
        Verdict verdict = Policy.decide(findings, Surface.LATE, config);
        if (verdict.outcome() == Outcome.ALLOW) {
            return;
        }
        // a client came and went in this process: the linker's list moved since start-up in a way
        // no judged load explains (else capture data in a working directory shared with another
        // process may be that process's, still open there: said, not deleted)
        boolean orphans = probe != null && !RuntimeGuard.isExplained(probe.changeCount());
        Verdict left = Actions.late(verdict, config, view, evidence, probe, listener, ending, orphans);
        if (left != null) {
            unswitched = left;
        }
        if (verdict.outcome() == Outcome.NEUTRALIZE) {
            switchedOff = true;
        }
    }

    /**
     * Capture data that appeared since the last look: a descriptor open on a capture file (by its
     * header or name), or a capture file created in the working directory since the JVM started.
     * Each is judged once; with it, the loaded objects that are the client, so that the client is
     * switched off (again: a client switched off and started again opens a new file).
     */
    public synchronized void lookForCaptureData() {
        long count = probe == null ? -1 : probe.changeCount(); // before the look: what it shows, it counted
        lookForCaptureDataSince();
        capturedCount = count;
    }

    private void lookForCaptureDataSince() {
        takePendingBaseline();
        Evidence evidence = new Evidence(RuleSet.orBuiltIn(rules), probe);
        List<Finding> found = new ArrayList<>();
        Set<String> open = new HashSet<>();
        List<OpenFile> files = view.openFiles().value();
        for (OpenFile file : files == null ? List.<OpenFile>of() : files) {
            String target = file.target();
            if (target.startsWith("/") && seenDescriptors.add(file.link() + "->" + target)) {
                String path = target.endsWith(" (deleted)") ? target.substring(0, target.length() - 10) : target;
                open.add(path);
                found.addAll(strongOnly(evidence.dataFile(Source.OPEN_FILE, path, file.link(), true,
                        "opened after start-up")));
            }
        }
        File workDir = new File(Config.jvmProperty("user.dir", "."));
        String[] names = workDir.list();
        // Every name a rule gives capture files, however many names there are; the others, read
        // for a capture header, up to MAX_NAMES a look (red team round 21: a capture file listed
        // past the first 10,000 names was never looked at).
        int others = 0;
        for (int i = 0; names != null && i < names.length; i++) {
            boolean named = capturedName(evidence, names[i]);
            if (!named && others++ >= MAX_NAMES) {
                continue;
            }
            File file = new File(workDir, names[i]);
            Path path;
            try {
                path = file.toPath();
            } catch (RuntimeException e) {
                continue; // a name this JVM's file-name encoding cannot hold (Latin-1 under LANG=C): one
                          // such name abandoned the whole look, the end's too (red team round 22)
            }
            Object identity = writtenSince(path);
            // judged again whenever it changes, a name already reported included (round 21: a decoy
            // written and reported under the name the client then wrote under)
            if (identity != null && !identity.equals(seenNames.put(names[i], identity))
                    && !open.contains(file.getAbsolutePath())) { // said once, as the open file
                byte[] head = new byte[Evidence.HEAD];
                int length = evidence.headOf(path, head);
                boolean busy = length == Probe.HEAD_BUSY;
                if (busy && !ending) {
                    seenNames.remove(names[i]); // under another process's lease: looked at again next time, never waited for
                    continue;
                }
                // A capture file's name whose content cannot be read (under a lease at the end, or
                // unreadable: round 22) is said as capture data by its name, as an open one is.
                String detail = "written in the working directory after start-up" + (busy
                        ? "; it could not be read: another process holds a lease on it"
                        : length < 0 ? "; it could not be read" : "");
                found.addAll(strongOnly(evidence.dataFile(Source.FILE, file.getPath(), head, Math.max(0, length),
                        named && length < 0, detail)));
            }
        }
        if (found.isEmpty()) {
            return;
        }
        boolean allowedAtStart = !switchedOff;
        List<Finding> clients = new ArrayList<>();
        Map<Long, MappedObject> mapped = probe == null ? Map.of() : ProbeDetector.byHeader(mappedCode());
        for (LoadedObject object : probe == null ? List.<LoadedObject>of() : probe.loadedObjects()) {
            if (evidence.isJudgeable(object, null)) {
                for (Finding finding : strongOnly(ProbeDetector.judge(evidence, object, "recording after start-up", mapped))) {
                    clients.add(finding);
                    allowedAtStart &= reported.contains(finding.path());
                }
            }
        }
        if (!clients.isEmpty() && allowedAtStart) {
            return; // the client start-up found and let run (action=warn, or outside production) writes as it was let
        }
        found.addAll(clients);
        act(found, evidence);
    }

    /**
     * A regular file's identity (device, inode, size, change time) when it was changed since the
     * watch began, else null. The change time, which no one can set (a modification time can be
     * dated back: red team round 20); the modification time only where the file system gives no
     * change time.
     */
    private Object writtenSince(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,size,ctime,isRegularFile");
            FileTime changed = (FileTime) a.get("ctime");
            return Boolean.TRUE.equals(a.get("isRegularFile")) && changed.toMillis() > started
                    ? List.of(a.get("dev"), a.get("ino"), a.get("size"), changed) : null;
        } catch (UnsupportedOperationException e) {
            File file = path.toFile();
            return file.isFile() && file.lastModified() > started ? List.of(file.length(), file.lastModified()) : null;
        } catch (IOException | RuntimeException e) {
            return null; // gone meanwhile, or not to be read: as before, not a file written here
        }
    }

    /** Whether a rule gives capture files this name. */
    private static boolean capturedName(Evidence evidence, String name) {
        for (dev.profguard.rules.Rule rule : evidence.rules().rules()) {
            if (rule.matchesCaptureFile(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean strongAbout(List<Finding> findings, String path) {
        for (Finding finding : findings) {
            if (finding.strength() == Strength.STRONG && path.equals(finding.path())) {
                return true;
            }
        }
        return false;
    }

    private static List<Finding> strongOnly(List<Finding> findings) {
        List<Finding> strong = new ArrayList<>();
        for (Finding finding : findings) {
            if (finding.strength() == Strength.STRONG) {
                strong.add(finding);
            }
        }
        return strong;
    }

    private void reportJvmtiAgent(LoadedObject object) {
        List<String> entry;
        try {
            entry = probe.definedSymbols(object.name(), JVMTI_ENTRY);
        } catch (RuntimeException e) {
            return; // its record cannot be read (red team round 20): the evidence ladder says so, this note is not needed
        }
        if (entry != null && !entry.isEmpty()) {
            log().atWarn().addKeyValue("outcome", "jvmti_agent").log("a JVMTI agent was loaded into this running JVM: "
                    + object.path() + " (defines " + String.join(", ", entry) + "). Dynamic agents can read and change "
                    + "everything in it; close attach with -XX:+DisableAttachMechanism.");
        }
    }

    private List<MappedObject> mappedCode() {
        List<MappedObject> mapped = view.mappedObjects().value();
        return mapped == null ? List.of() : executable(mapped);
    }

    private static List<MappedObject> executable(List<MappedObject> mapped) {
        List<MappedObject> code = new ArrayList<>();
        for (MappedObject object : mapped) {
            if (object.executable()) {
                code.add(object);
            }
        }
        return code;
    }

    /** Each mapping by the address its first mapping starts at (where the linker put the object). */
    private static Map<Long, MappedObject> byStart(List<MappedObject> code) {
        Map<Long, MappedObject> byStart = new java.util.HashMap<>();
        for (MappedObject object : code) {
            if (object.start() >= 0) {
                byStart.put(object.start(), object);
            }
        }
        return byStart;
    }

    /**
     * What a loaded object is: its name, load address, and the device and inode of the file mapped
     * there, so another file loaded under the same name at the same address is new.
     */
    private static String identity(LoadedObject object, Map<Long, MappedObject> byStart) {
        MappedObject mapped = byStart.get(object.base());
        return object.key() + "@" + object.base() + (mapped == null ? "" : "#" + mapped.device() + ":" + mapped.inode());
    }

    private static String identity(MappedObject object) {
        return object.device() + ":" + object.inode() + ":" + object.key() + "@" + object.range();
    }

    private Logger log() {
        return Logs.get(config.logFormat());
    }
}
