package dev.profguard.runtime;

import dev.profguard.act.Report;
import dev.profguard.config.Config;
import dev.profguard.detect.Finding;
import dev.profguard.act.Exit;
import dev.profguard.detect.Evidence;
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
import dev.profguard.util.Sha256;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The library-load gate. Called (through java.lang.ProfguardBridge) in front of the two JDK methods
 * that hold the final name they hand to dlopen (see {@link LoadTransformer}), it judges the file
 * that name opens, runs the load itself, and looks at what the load mapped as soon as it returns.
 *
 * <ol>
 * <li>Before: the file is opened once and judged through that descriptor (/proc/self/fd/N), so
 *     what is judged is one inode whatever happens to the path; its identity (device, inode, size,
 *     modification and change time) is taken before and after the reading and must not move. A
 *     decision is reused only for the same identity, and never for a file changed in the last two
 *     seconds (file times are only as fine as the kernel's clock tick): such a file is hashed
 *     instead. In a production JVM a client is refused (UnsatisfiedLinkError) before dlopen.</li>
 * <li>After: every executable file mapped during the load is compared, by device and inode from
 *     /proc/self/maps, with what was judged; the judged file must still have the identity (and
 *     hash) it had. Anything else mapped (a dependency, what JNI_OnLoad opened) is judged too. A
 *     file swapped between the judgement and dlopen has had its constructors run by then: in a
 *     production JVM the JVM is halted.</li>
 * </ol>
 * A library the JDK already has registered under that canonical name (JNI), or that the dynamic
 * linker has loaded under that name (FFM, with the probe), loads no new code: it passes at once.
 */
public final class LoadGate implements Function<Object[], Object> {
    /**
     * Any Class tells the inserted code to run the original method (EntryPatch). A JDK class, never
     * one of the guard's: the bridge is public in java.lang, so anyone can call it and read what it
     * returns, and a class of ours would hand them the guard's class loader (red team, round 8).
     */
    static final Object RUN = Void.class;
    private static final long RECENT_NANOS = 2_000_000_000L;

    private final RuleSet rules;
    private final Config config;
    private final Probe probe;
    private final java.util.function.BooleanSupplier opener;
    private volatile JdkLoaders jdk;     // built at the first load that needs it, not in premain
    private volatile boolean jdkTried;
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();
    /** The name whose load this thread is running through {@link JdkLoaders#load} right now. */
    private final ThreadLocal<String> passing = new ThreadLocal<>();
    private final Map<Identity, Decision> decisions = new ConcurrentHashMap<>();
    private final String jdkLibraries = jdkLibraries();
    private volatile Loaded loaded;

    /**
     * @param probe the native probe when loaded, else null. Without java.base's jdk.internal.loader
     *              and java.io open to the agent (RuntimeGuard opens them) the gate judges before
     *              the load only.
     */
    public LoadGate(RuleSet rules, Config config, Probe probe) {
        this(rules, config, probe, null);
    }

    /**
     * @param opener opens java.base's loaders to the agent (true when open); null: not opened here,
     *               used when already open to the agent, else judged before the load only
     */
    LoadGate(RuleSet rules, Config config, Probe probe, java.util.function.BooleanSupplier opener) {
        this.rules = rules;
        this.config = config;
        this.probe = probe;
        this.opener = opener;
    }

    /** The JDK's library directory, canonical as the names the JDK loads, with a final slash. */
    private static String jdkLibraries() {
        String home = dev.profguard.detect.Locations.jdkHome(); // the running JDK, not a -Djava.home
        return home.isEmpty() ? "\0" : home + "/lib/"; // "\0" matches no path
    }

    /** The handles on the JDK's loaders, made once: method handles would cost start-up time in premain. */
    private JdkLoaders jdk() {
        JdkLoaders handles = jdk;
        if (handles == null && !jdkTried) {
            synchronized (this) {
                if (!jdkTried) {
                    // without an opener (the public constructor), used when something else opened them
                    // (--add-opens): the benchmarks' gate, 15 ns on a registered library, not a judgement
                    boolean open = opener != null ? opener.getAsBoolean() : RuntimeGuard.openJdkLoaders(null);
                    jdk = open ? JdkLoaders.open() : null;
                    jdkTried = true;
                }
                handles = jdk;
            }
        }
        return handles;
    }

    /** A file as stat(2) gives it: what a decision holds for. */
    record Identity(long dev, long ino, long size, FileTime modified, FileTime changed) {
        boolean sameFile(long otherDev, long otherIno) {
            return dev == otherDev && ino == otherIno;
        }

        /**
         * Whether {@code mapping} maps this file: its device and inode; or its inode, with the
         * mapping's own name resolving to this file now, and the file the kernel maps for that name
         * now being exactly the mapped one. An overlay whose layers lie on different file systems
         * (a tmpfs upper over a disk: live images, overlayroot) shows its own device in the maps and
         * the layer's to stat: every benign load there was "swapped in during the load" and a clean
         * production JVM was halted (red team, round 18). The inode alone would let a file of the
         * same inode number on another device stand for the mapped one (round 20). Without the
         * probe, the inode under the mapping's name, as before.
         */
        boolean isMapped(MappedFiles.Mapping mapping, Probe probe) {
            if (sameFile(mapping.dev(), mapping.ino())) {
                return true;
            }
            if (ino != mapping.ino()) {
                return false;
            }
            Identity named;
            try {
                named = identity(Path.of(mapping.path()));
            } catch (RuntimeException e) { // a name Path cannot hold
                return false;
            }
            if (named == null || named.dev != dev || named.ino != ino) {
                return false;
            }
            if (probe == null) {
                return true;
            }
            long[] kernel;
            try {
                kernel = probe.mappedFile(mapping.path().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
            // the maps' device as MappedFiles packs it (glibc's makedev)
            return kernel != null && kernel[2] == mapping.ino() && ((kernel[1] & 0xff) | (kernel[0] & 0xfff) << 8
                    | (kernel[1] & ~0xffL) << 12 | (kernel[0] & ~0xfffL) << 32) == mapping.dev();
        }

        // Written out: a record's own equals and hashCode are bootstrapped through invokedynamic
        // at their first call, which came right between the judgement and dlopen (8-14 ms, strace).
        @Override
        public boolean equals(Object other) {
            return other instanceof Identity that && dev == that.dev && ino == that.ino && size == that.size
                    && modified.equals(that.modified) && changed.equals(that.changed);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(ino) * 31 + Long.hashCode(size) * 17 + changed.hashCode();
        }
    }

    /** What the judgement said about one file. */
    static final class Decision {
        final boolean refuse;   // in this JVM, the file must not run
        final String evidence;  // the line that says what was found and what is done; null when nothing was
        final List<java.util.Map<String, Object>> findings; // structured, for log.format=json
        /** What was found, rule by rule: what the watcher need not say again of the object loaded. */
        final List<Finding> found;
        volatile boolean warned;

        Decision(boolean refuse, String evidence) {
            this(refuse, evidence, List.of(), List.of());
        }

        Decision(boolean refuse, String evidence, List<java.util.Map<String, Object>> findings, List<Finding> found) {
            this.refuse = refuse;
            this.evidence = evidence;
            this.findings = findings;
            this.found = found;
        }
    }

    /** A file opened for judging, kept open until the load has been looked at. */
    private static final class Opened {
        final String shown;
        final InputStream in;
        final Path content;   // /proc/self/fd/N: this inode, whatever the path names now
        Identity identity;
        byte[] digest;        // for a recently changed file only

        Opened(String shown, InputStream in, Path content) {
            this.shown = shown;
            this.in = in;
            this.content = content;
        }
    }

    /** The dynamic linker's loaded paths, as of one value of its change counter. */
    private static final class Loaded {
        final long changeCount;
        final Set<String> paths;

        Loaded(long changeCount, Set<String> paths) {
            this.changeCount = changeCount;
            this.paths = paths;
        }
    }

    /**
     * @param call {route ("jni" or "ffm"), the loader object (NativeLibraries or RawNativeLibraries),
     *             the calling class (jni) or null, the name the JDK will hand to dlopen}
     * @return {@link #RUN}, or what the load returned when the gate ran it
     */
    @Override
    public Object apply(Object[] call) {
        String route = (String) call[0];
        Object owner = call[1];
        String name = (String) call[3];
        if (passing.get() == name) {
            passing.remove();
            return RUN; // the gate's own call of this load: the original method runs now
        }
        JdkLoaders jdk;
        if (route.equals("jni")) {
            if (name.indexOf('/') < 0) {
                return RUN; // a built-in library (a statically linked JDK): no file
            }
            Class<?> from = (Class<?>) call[2];
            if ((from == null || from.getClassLoader() == null) && name.startsWith(jdkLibraries)) {
                // The JDK's own libraries loaded by the boot loader (libnio, libnet...), often from a
                // class initialiser that the gate's own reads would need; whoever can write there owns the JVM.
                return RUN;
            }
            jdk = jdk();
            if (jdk != null && jdk.registered(owner, name)) {
                return RUN; // the JDK returns the library it has registered under that name: no new code
            }
        } else {
            if (alreadyLoaded(name)) {
                return RUN; // dlopen returns the object it has under that name: no new code
            }
            jdk = jdk();
        }
        if (busy.get() != null) {
            // The gate's own reads load no library but the JDK's (let through above). Anything else
            // asked for while this thread judges a load is some other code run from inside the
            // judgement: refused, never let through unjudged.
            throw new UnsatisfiedLinkError("profguard: " + name + " was asked for while the library-load gate judged "
                    + "another load on the same thread; refused");
        }
        List<Opened> judged;
        Map<String, MappedFiles.Mapping> before;
        long counted = -1; // the linker's change count as the maps were read: what this load may explain from
        busy.set(Boolean.TRUE);
        try {
            // Linking the call and reading what is mapped now come first, so that the judgement
            // ends as close to dlopen as it can.
            boolean runs = jdk != null && jdk.canLoad(route);
            if (runs) {
                passing.set(JdkLoaders.WARM_UP); // the gate's own call: runs (and fails) without a judgement
                try {
                    jdk.warmUp(route, owner);
                } finally {
                    passing.remove();
                }
            }
            before = runs ? MappedFiles.read() : null;
            // After the maps: a load before their read is counted here too, so nothing this load's
            // count explains can be a mapping they already showed (one counted between the two reads
            // is newly mapped after the load: not explained)
            counted = runs && probe != null ? probe.changeCount() : -1;
            judged = judge(route, (Class<?>) call[2], name);
        } catch (UnsatisfiedLinkError refused) {
            throw refused;
        } catch (RuntimeException | LinkageError e) {
            if (dev.profguard.Agent.ownClassFailure(e)) {
                // A class of the guard could not be read from its jar (changed or damaged since
                // start): nothing here can judge the load, so it is refused, never let through.
                throw new UnsatisfiedLinkError("profguard: the agent jar is damaged (" + e + "): the library-load gate "
                        + "cannot judge " + name + ", so it refuses it. Reinstall the agent jar and restart the JVM.");
            }
            // A fault of the gate must not break the application's library loading.
            Logs.get(config.logFormat()).warn("the library-load gate failed on a load and let it through: {}", String.valueOf(e));
            return RUN;
        } finally {
            busy.remove();
        }
        if (before == null) {
            close(judged);
            return RUN;
        }
        passing.set(name);
        try {
            return jdk.load(route, owner, (Class<?>) call[2], name);
        } finally {
            passing.remove();
            busy.set(Boolean.TRUE);
            try {
                afterLoad(judged, before, name, counted);
            } catch (LinkageError e) {
                if (!dev.profguard.Agent.ownClassFailure(e)) {
                    throw e;
                }
                // What the load brought in could not be looked at: the jar cannot give a class of
                // ours. In production the JVM ends, as for a file swapped under the gate; else the
                // application is told the load failed, and the line says why.
                dev.profguard.Agent.damaged(e, config.isProduction());
                throw new UnsatisfiedLinkError("profguard: the agent jar is damaged (" + e + "): what loading " + name
                        + " brought in could not be looked at. Reinstall the agent jar and restart the JVM.");
            } finally {
                busy.remove();
                close(judged);
            }
        }
    }

    /**
     * Opens and judges the file(s) the name will load; refuses (throws) when one must not run.
     * Returns them open, for the look after the load.
     */
    private List<Opened> judge(String route, Class<?> from, String name) {
        List<Path> files = name.indexOf('/') >= 0 ? List.of(Path.of(name)) : LinkerSearch.candidates(name);
        String how = route.equals("ffm") ? "SymbolLookup.libraryLookup"
                : "JNI (System.load, System.loadLibrary or a class loader's findLibrary" + (from == null ? "" : ", for "
                + from.getName()) + ")";
        if (name.indexOf('$') >= 0) {
            // dlopen expands $ORIGIN, $LIB and $PLATFORM in the name it is given: the file it would
            // load is not the one at the literal path, which is all the gate can read
            Decision decision = decide(name, null, "about to be loaded by " + how + ": the dynamic linker expands the "
                    + "$ tokens in this name ($ORIGIN, $LIB, $PLATFORM), so what it loads cannot be checked");
            refuseOrWarn(name, decision);
        }
        List<Opened> judged = new ArrayList<>();
        try {
            for (Path file : files) {
                Opened opened = open(file.toString());
                if (opened == null) {
                    continue; // gone, or not a regular file: dlopen cannot map it either
                }
                judged.add(opened);
                Decision decision = decideStable(opened, "about to be loaded by " + how);
                refuseOrWarn(opened.shown, decision);
            }
            return judged;
        } catch (RuntimeException | Error e) {
            close(judged);
            throw e;
        }
    }

    /** The decision for the file as one stable identity; decided again if it changed while read. */
    private Decision decideStable(Opened opened, String how) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Identity before = identity(opened.content);
            if (before == null) {
                break;
            }
            boolean recent = System.currentTimeMillis() * 1_000_000L - before.changed().to(java.util.concurrent.TimeUnit.NANOSECONDS)
                    < RECENT_NANOS;
            Decision decision = recent ? null : decisions.get(before);
            byte[] digest = recent ? digest(opened.content) : null;
            if (decision == null) {
                decision = decide(opened.shown, opened.content, how);
            }
            if (before.equals(identity(opened.content))) {
                if (!recent) {
                    decisions.put(before, decision);
                }
                opened.identity = before;
                opened.digest = digest;
                return decision;
            }
        }
        return decide(opened.shown, null, "changed while profguard read it, three times over");
    }

    /**
     * Every judgement of the gate, in one place: what the findings about one file mean in this
     * JVM. {@code content} is where its bytes can be read, or null when what is (or was) loaded
     * cannot be read as it was: that alone refuses in production.
     */
    private Decision decide(String shown, Path content, String how) {
        List<Finding> findings;
        if (content == null) {
            // What is (or was) loaded cannot be read as it was: unverifiable code, refused in production.
            findings = List.of(new Finding(Finding.SELF, "a library profguard could not verify", Strength.STRONG,
                    Source.LIBRARY_LOAD, shown, List.of(), null, how, true));
        } else {
            findings = new Evidence(rules, null).startedWith(dev.profguard.detect.ProcFs.guarded(probe, config.startEnvironment()))
                    .library(Source.LIBRARY_LOAD, shown, null, content, 0, how, false);
        }
        Verdict verdict = Policy.decide(findings, Surface.LOAD, config);
        if (verdict.outcome() == Outcome.ALLOW) {
            return new Decision(false, null);
        }
        return new Decision(verdict.outcome() == Outcome.REFUSE, Report.line(verdict, Surface.LOAD, config, "a library load", true),
                Report.findings(verdict), findings);
    }

    /** A refusal (one ERROR line, then UnsatisfiedLinkError before the library's code runs), else a warning once. */
    private void refuseOrWarn(String shown, Decision decision) {
        if (decision.refuse) {
            Logs.get(config.logFormat()).atError().addKeyValue("outcome", "refuse_load")
                    .addKeyValue("findings", decision.findings).log(decision.evidence);
            throw new UnsatisfiedLinkError("profguard: " + decision.evidence);
        }
        warnOnce(shown, decision);
    }

    private void warnOnce(String shown, Decision decision) {
        if (decision.evidence != null && !decision.warned) {
            decision.warned = true;
            if (!config.isProduction()) { // the watcher would only warn again; in production it acts per runtime.action
                for (Finding finding : decision.found) {
                    RuntimeGuard.saidAtLoad(shown, finding.rule(), finding.strength() == Strength.STRONG);
                }
            }
            Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "warn_load")
                    .addKeyValue("findings", decision.findings).log(decision.evidence);
        }
    }

    /**
     * Right after the load: what it mapped must be what was judged. The judged file must still be
     * the same (identity, and hash where kept), and a file mapped under a judged name must be the
     * judged one: otherwise the code that ran is judged as it was mapped, and a refusal, coming
     * after that code ran, halts the JVM. Any other executable file newly mapped (a dependency,
     * what JNI_OnLoad opened with dlopen) was loaded behind the gate's back like any native
     * dlopen: the watcher is asked to look at once, and acts per runtime.action.
     */
    private void afterLoad(List<Opened> judged, Map<String, MappedFiles.Mapping> before, String name, long counted) {
        long count = counted < 0 ? -1 : probe.changeCount(); // before the maps: what they show, it counted
        Map<String, MappedFiles.Mapping> after = MappedFiles.read();
        boolean others = false;
        boolean unexplained = false;
        int asJudged = 0; // the objects this load mapped as judged: what may explain the count's move
        for (Map.Entry<String, MappedFiles.Mapping> entry : after.entrySet()) {
            MappedFiles.Mapping mapping = entry.getValue();
            if (before.containsKey(entry.getKey()) || !mapping.executable()) {
                continue;
            }
            Opened match = null;
            boolean namedAsJudged = mapping.path().equals(name);
            for (Opened opened : judged) {
                if (opened.identity != null && opened.identity.isMapped(mapping, probe)) {
                    match = opened;
                }
                namedAsJudged |= opened.shown.equals(mapping.path());
            }
            if (match != null) {
                Identity now = identity(match.content);
                boolean same = match.identity.equals(now)
                        && (match.digest == null || Arrays.equals(match.digest, digest(match.content)));
                if (!same) {
                    unexplained = true;
                    ran(mapping.path(), decide(mapping.path(), null, "changed between profguard's check and dlopen"));
                } else {
                    asJudged++;
                    dev.profguard.detect.Evidence.judgedAtLoad(mapping.dev(), mapping.ino()); // mapped as judged
                    RuntimeGuard.judgedAtLoad(match.identity.dev(), match.identity.ino(), nanos(match.identity.changed()));
                }
            } else if (namedAsJudged) {
                unexplained = true;
                // swapped between the judgement and dlopen: judged as mapped, if its file still is that object
                ran(mapping.path(), judgeMapped(mapping, name,
                        "was replaced between profguard's check and dlopen, and again since"));
            } else {
                others = true;
            }
        }
        Watcher look = others ? RuntimeGuard.watcherNow() : null;
        if (look != null) {
            look.tick();
        }
        // All that moved the count was judged here, and only that: the count adds loads and unloads,
        // so a move larger than the objects newly mapped as judged is something else loaded or
        // unloaded inside this load (a constructor that ran a client's whole life, or unloaded a
        // judged library and loaded other code from its file: red team round 20).
        // One gated load loads one library: candidates the gate judged for a bare name and mapped
        // by other means (mmap, no dlopen) are not loads (red team round 21).
        if (!others && !unexplained && counted >= 0 && count - counted == Math.min(asJudged, 1)) {
            RuntimeGuard.explained(counted, count);
        }
    }

    /**
     * Judges the object a swapped file put under a judged name, through its path when that still
     * names the mapped object; otherwise what ran cannot be known.
     *
     * @param replaced why, said when what ran cannot be known
     */
    private Decision judgeMapped(MappedFiles.Mapping mapping, String name, String replaced) {
        String unknown = replaced;
        Opened opened = open(mapping.path());
        try {
            Identity now = opened == null ? null : identity(opened.content);
            if (now == null || !now.isMapped(mapping, probe)) {
                return decide(mapping.path(), null, unknown);
            }
            Decision decision = decideStable(opened, "swapped in while " + name + " was being loaded");
            if (opened.identity == null || !opened.identity.isMapped(mapping, probe)) {
                return decide(mapping.path(), null, unknown);
            }
            return decision;
        } finally {
            if (opened != null) {
                close(List.of(opened));
            }
        }
    }

    /** Acts on a decision about code that has already run. */
    private void ran(String path, Decision decision) {
        if (decision.refuse) {
            Logs.get(config.logFormat()).atError().addKeyValue("outcome", "halt").log("loaded " + path
                    + " although it was refused, by a file swapped in after the check: " + decision.evidence
                    + " Its code has run: ending this JVM, exit status " + config.exitCode()
                    + ". Find who replaces libraries on this host.");
            Exit.withoutClientFlush(config.exitCode(), probe); // its exit code must not run either
        }
        warnOnce(path, decision);
    }

    /** Opens a regular file for judging, or null (missing, not regular, unreadable). */
    private Opened open(String path) {
        try {
            if (!Files.isRegularFile(Path.of(path))) {
                return null; // never open a FIFO or a device for reading
            }
            FileInputStream in = new FileInputStream(path);
            JdkLoaders handles = jdk();
            int fd = handles == null ? -1 : handles.number(in.getFD());
            Path descriptor = Path.of("/proc/self/fd/" + fd);
            // Without /proc (or the descriptor's number) the path is read: the identity checks still hold.
            return new Opened(path, in, fd >= 0 && identity(descriptor) != null ? descriptor : Path.of(path));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void close(List<Opened> opened) {
        for (Opened file : opened) {
            try {
                file.in.close();
            } catch (IOException e) {
                // nothing was written; nothing is lost
            }
        }
    }

    /** stat(2) of an open file through /proc/self/fd/N (the open inode), or null. */
    /** A change time in nanoseconds, as stat(2)'s st_ctim; -1 when unknown (then no file matches it). */
    private static long nanos(FileTime changed) {
        return changed == null ? -1 : changed.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    static Identity identity(Path content) {
        try {
            Map<String, Object> a = Files.readAttributes(content, "unix:dev,ino,size,lastModifiedTime,ctime");
            return new Identity((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                    (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * SHA-256 of a file's content. Our own SHA-256 through java.io, not MessageDigest through NIO:
     * this runs on the application's thread, and the first use of either initialises JDK code
     * (security providers, channels) that reads system properties, which an application may have
     * replaced with a subclass of its own (red team, round 9).
     */
    private static byte[] digest(Path content) {
        try (InputStream in = new java.io.FileInputStream(content.toString())) {
            Sha256 sha = new Sha256();
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return sha.digest();
        } catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    /**
     * Whether the dynamic linker has an object loaded under exactly this name: dlopen then
     * returns that object and maps nothing (glibc matches the name before opening a file). The
     * list is re-read only when the probe's change counter moved.
     */
    private boolean alreadyLoaded(String name) {
        if (probe == null) {
            return false;
        }
        try {
            long count = probe.changeCount(); // read before the list: a load in between makes the next call re-read
            Loaded now = loaded;
            if (now == null || now.changeCount != count) {
                Set<String> paths = new HashSet<>();
                for (LoadedObject object : probe.loadedObjects()) {
                    paths.add(object.path());
                }
                now = new Loaded(count, paths);
                loaded = now;
            }
            return now.paths.contains(name);
        } catch (RuntimeException | LinkageError e) {
            return false; // decide as without the probe
        }
    }
}
