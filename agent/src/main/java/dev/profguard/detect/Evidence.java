package dev.profguard.detect;

import dev.profguard.config.Config;
import dev.profguard.elf.ElfResult;
import dev.profguard.elf.ElfSymbols;
import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Names;
import dev.profguard.probe.Probe;
import dev.profguard.rules.Rule;
import dev.profguard.rules.RuleSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The evidence ladder: the one piece of code that judges a library or a file against the rules,
 * whoever asks (start-up, the load gate, the watcher, {@code check}, {@code scan}).
 *
 * <p>A library is judged from both sources and the stronger wins, never the weaker: what the
 * dynamic linker holds under its name (through the probe: the symbols it binds, the marks in its
 * loaded memory, its zero-fill) and what its file holds (the dynamic symbols ld.so would read,
 * the marks in its bytes, its zero-fill). Per rule: the client's symbols (strong), all its marks
 * outside the JDK's and system's directories (strong), its file name (weak), a zero-filled
 * segment as large as its own (weak). A file is a capture file by its header bytes (strong) or
 * its name. Names are bytes; files are identified by device, inode, size and modification time
 * for the one scan an instance serves; only regular files are ever opened.
 */
public final class Evidence {
    public static final int HEAD = 64;

    private final RuleSet rules;
    private final Probe probe;
    private final ElfSymbols elf;
    private final Map<Object, ElfResult> symbols = new HashMap<>();
    private final Map<Object, List<String>> marks = new HashMap<>();
    /** Where each object judged as the linker's own is loaded: its file is what is mapped there. */
    private final Set<Long> judgedBases = new HashSet<>();
    /** For an object judged as loaded, the file (device and inode) its name is, where known. */
    private final Map<Long, String> judgedFiles = new HashMap<>();
    private ProcessView started;

    /** @param probe the native probe in this JVM, or null (another process, a file, no probe) */
    public Evidence(RuleSet rules, Probe probe) {
        this.rules = rules;
        this.probe = probe;
        this.elf = new ElfSymbols(rules.allSymbols());
    }

    /**
     * For the load gate and the watcher in this JVM: the environment the process started with,
     * asked only when a library is one a rule {@code requires}, so that a variable set at start
     * ({@code HEAPPROFILE}) makes the later load of what it switches on strong evidence.
     */
    public Evidence startedWith(ProcessView self) {
        this.started = self;
        return this;
    }

    public RuleSet rules() {
        return rules;
    }

    /** The probe, or null. */
    public Probe probe() {
        return probe;
    }

    /**
     * Records that a loaded object was judged as the dynamic linker's: its file, the one mapped at
     * the address the linker loaded it at, is not judged again as code the linker does not list
     * ({@link #linkerSpans}). Its name is not what counts: another file can be mapped under it.
     */
    public void judgedAsLoaded(LoadedObject object) {
        judgedBases.add(object.base());
    }

    /**
     * As {@link #judgedAsLoaded(LoadedObject)}, for an object judged by the file its name is
     * ({@code named}, read by that name): the linker answers for its mappings only when that file is
     * the one mapped at its load address. The name is the linker's record (l_name), which code in
     * the process can rewrite: a client that named itself after a system library was judged as that
     * library, and its own mappings as answered for (red team round 16).
     */
    public void judgedAsLoaded(LoadedObject object, Path named) {
        judgedBases.add(object.base());
        String file = fileOf(named);
        if (file != null) {
            judgedFiles.put(object.base(), file);
        }
    }

    /** A file's device and inode as {@link #fileOf(MappedObject)} writes them ("fd:1 1234"), or null when it cannot be stat'ed. */
    static String fileOf(Path file) {
        try {
            Map<String, Object> status = Files.readAttributes(file, "unix:dev,ino"); // one stat
            return fileOf((Long) status.get("dev"), (Long) status.get("ino"));
        } catch (IOException | RuntimeException e) { // UnsupportedOperationException, ClassCastException, NPE among them
            return null;
        }
    }

    /** A Linux dev_t and inode in {@link #fileOf(Path)}'s form. */
    static String fileOf(long device, long inode) {
        // glibc's major() and minor() of a Linux dev_t
        long major = ((device >>> 8) & 0xfff) | ((device >>> 32) & ~0xfffL);
        long minor = (device & 0xff) | ((device >>> 12) & ~0xffL);
        return Long.toHexString(major) + ":" + Long.toHexString(minor) + " " + inode;
    }

    /**
     * The files the load gate read whole and judged before the JDK loaded them, and found mapped
     * as judged right after the load (device and inode as the maps give them, {@link #fileOf(Path)}'s
     * form). A mapped file stays that inode while it is mapped, even deleted: such a file that can
     * no longer be read (deleted after its load, as netty and conscrypt do, in a JVM without the
     * capability /proc/self/map_files asks for) was judged already, and is no "could not be read".
     */
    private static final Set<String> JUDGED_AT_LOAD = new HashSet<>();

    /** The gate judged the file mapped as {@code device} (a dev_t) and {@code inode} before its load. */
    public static void judgedAtLoad(long device, long inode) {
        synchronized (JUDGED_AT_LOAD) {
            JUDGED_AT_LOAD.add(fileOf(device, inode));
        }
    }

    /** Whether the gate judged {@code object}'s file before the JDK loaded it. */
    static boolean wasJudgedAtLoad(MappedObject object) {
        synchronized (JUDGED_AT_LOAD) {
            return !JUDGED_AT_LOAD.isEmpty() && JUDGED_AT_LOAD.contains(sameForm(fileOf(object)));
        }
    }

    /**
     * Whether a name's file and a mapping's ({@link #fileOf(Path)}'s form) are one: device and
     * inode. The maps text of a kernel before 6.8 shows, for a file of a stacked file system
     * (overlayfs: a container's), the device of the layer under it, so there only the inodes are
     * compared.
     */
    static boolean sameFile(String named, String mapped) {
        return named.equals(mapped) || !EXACT_MAPS_DEVICES && sameInode(named, mapped);
    }

    /** Whether two files in {@link #fileOf(Path)}'s form have the same inode, whatever their devices. */
    private static boolean sameInode(String named, String mapped) {
        int a = named.indexOf(' ');
        int b = mapped.indexOf(' ');
        return a > 0 && b > 0 && named.substring(a).equals(mapped.substring(b));
    }

    /**
     * Whether the file under {@code name} (stat'ed as {@code named}) and a mapping of that same name
     * ({@code mapped}) are one: the same device and inode; or, where only the devices differ, the
     * file the kernel maps for that name now is, exactly, the mapped one. An overlay whose layers
     * lie on different file systems (a tmpfs upper over a disk) shows its own device in the maps and
     * the layer's to stat, on every kernel (red team, round 18); the inode alone let a file of the
     * same inode number on another device, bind-mounted under the mapping's name, pass for the
     * mapped client (round 20). Without the probe, the inode alone, as before. Only for a name the
     * mapping itself carries: a name from elsewhere (the linker's record, which code in the process
     * can rewrite) must match the device too.
     */
    boolean sameFileByItsName(String named, String mapped, Path name) {
        if (named.equals(mapped)) {
            return true;
        }
        if (!sameInode(named, mapped)) {
            return false;
        }
        if (probe == null) {
            return true;
        }
        long[] kernel;
        try {
            kernel = probe.mappedFile(name.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
        return kernel != null && mapped.equals(Long.toHexString(kernel[0]) + ":" + Long.toHexString(kernel[1]) + " " + kernel[2]);
    }

    /** Whether this kernel's maps show the devices stat(2) shows (Linux 6.8+), from os.version. */
    static final boolean EXACT_MAPS_DEVICES = atLeast(Config.jvmProperty("os.version", ""), 6, 8);

    static boolean atLeast(String version, int major, int minor) {
        String[] parts = version.split("[.-]", 3);
        try {
            int found = Integer.parseInt(parts[0]);
            int second = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return found > major || (found == major && second >= minor);
        } catch (NumberFormatException e) {
            return false; // unknown: the inode alone
        }
    }

    /** "fd:01 1234" of the maps as "fd:1 1234", the form {@link #fileOf(Path)} writes; the text itself when it is not that. */
    static String sameForm(String file) {
        int colon = file.indexOf(':');
        int space = file.indexOf(' ');
        if (colon < 0 || space < colon) {
            return file;
        }
        try {
            return Long.toHexString(Long.parseLong(file.substring(0, colon), 16)) + ":"
                    + Long.toHexString(Long.parseLong(file.substring(colon + 1, space), 16)) + file.substring(space);
        } catch (NumberFormatException e) {
            return file;
        }
    }

    /** The range an object the linker lists was loaded into, and its file (device and inode) mapped at its load address. */
    public record LinkerSpan(long start, long end, String file) {
    }

    /**
     * What the dynamic linker answers for among {@code mapped}: for each object judged as loaded,
     * the range its loadable segments were mapped into (read at its load address, through the
     * probe) and the file mapped there. Empty without the probe (another process, a file).
     */
    public List<LinkerSpan> linkerSpans(List<MappedObject> mapped) {
        if (probe == null || judgedBases.isEmpty()) {
            return List.of();
        }
        long[] bases = new long[judgedBases.size()];
        int i = 0;
        for (Long base : judgedBases) {
            bases[i++] = base;
        }
        long[] ranges;
        try {
            ranges = probe.spans(bases);
        } catch (RuntimeException e) {
            return List.of(); // nothing answered for: every mapping is judged on its own
        }
        Map<Long, String> fileAt = new HashMap<>();
        for (MappedObject object : mapped) {
            for (long header : object.headers()) {
                fileAt.put(header, fileOf(object));
            }
        }
        List<LinkerSpan> spans = new ArrayList<>();
        for (i = 0; i < bases.length; i++) {
            String file = fileAt.get(bases[i]);
            String named = judgedFiles.get(bases[i]);
            if (file != null && named != null && !sameFile(named, sameForm(file))) {
                continue; // judged by a name that is another file: its mappings are judged as what they are
            }
            if (file != null && ranges[2 * i] != 0 && Long.compareUnsigned(ranges[2 * i], ranges[2 * i + 1]) < 0) {
                spans.add(new LinkerSpan(ranges[2 * i], ranges[2 * i + 1], file));
            }
        }
        return spans;
    }

    /**
     * Whether the linker answers for all of {@code object}: each of its executable mappings lies in
     * the range of an object it lists and is of the file mapped at that object's load address (a
     * file is its device and inode, never its name: red team rounds 11 and 12). Without code, its
     * first mapping must lie in such a range.
     */
    public static boolean answeredByLinker(MappedObject object, List<LinkerSpan> spans) {
        String file = fileOf(object);
        long[] code = object.code();
        if (code.length == 0) {
            long start = object.start();
            return start >= 0 && inSpan(file, start, start + 1, spans);
        }
        for (int i = 0; i + 1 < code.length; i += 2) {
            if (!inSpan(file, code[i], code[i + 1], spans)) {
                return false;
            }
        }
        return true;
    }

    private static boolean inSpan(String file, long from, long to, List<LinkerSpan> spans) {
        if (Long.compareUnsigned(from, to) >= 0) {
            return false;
        }
        for (LinkerSpan span : spans) {
            if (span.file().equals(file) && Long.compareUnsigned(from, span.start()) >= 0
                    && Long.compareUnsigned(to, span.end()) <= 0) {
                return true;
            }
        }
        return false;
    }

    /** A mapping's file: its device and inode. */
    static String fileOf(MappedObject object) {
        return object.device() + " " + object.inode();
    }

    /**
     * Findings about one library.
     *
     * @param shown      how findings name it
     * @param linkerName the name to ask the dynamic linker under (this JVM only), or null
     * @param content    where its bytes are read (its path, a /proc link), or null when unavailable
     * @param zeroFill   the zero-fill the linker reports for it, or 0
     * @param detail     how it was seen, e.g. "preloaded"
     * @param unreadableMatters whether a file that cannot be read is worth a finding of its own
     */
    public List<Finding> library(Source source, String shown, byte[] linkerName, Path content, long zeroFill,
                                 String detail, boolean unreadableMatters) {
        List<Finding> findings = new ArrayList<>();
        Object identity = null;
        if (content != null && linkerName == null) { // with the linker, the file is stat'ed only if it is read
            identity = identity(content);
            if (identity instanceof String) { // not a regular file: never opened
                findings.add(Finding.unknown(source, shown, identity + " where a library is expected; not read ("
                        + detail + ")"));
                content = null;
                identity = null;
            } else if (identity == null) {
                content = null;
            }
        }
        ElfResult file = null;
        boolean fileRead = false;
        boolean linker = linkerName != null && probe != null;
        boolean system = Locations.isSystem(shown);
        String fileName = fileName(shown);
        // One question to the linker for every rule's symbols: the cost of a clean start does not
        // grow with the number of rules.
        List<String> boundAll = linker && !rules.allSymbols().isEmpty() ? ask(linkerName, rules.allSymbols(), true) : null;
        for (Rule rule : rules.rules()) {
            List<String> bound = boundAll != null && !rule.symbols().isEmpty() ? union(rule.symbols(), boundAll, null) : null;
            if (bound != null && !bound.isEmpty() && bound.size() >= rule.symbolsMin()) {
                // The strongest answer already: the file is not read (a client loaded late is switched
                // off that much sooner; benchmarks/late-window.sh).
                findings.add(Finding.strong(rule, source, shown, bound, "per the dynamic linker; " + detail));
                continue;
            }
            if (!fileRead) {
                // The JDK's and the system's own objects that the linker has loaded: its answer is
                // what their loaded images define, and their files are not searched for marks; reading
                // them again would only cost start-up time (a client there is a compromised host).
                if (content != null && !(system && bound != null) && identity == null) {
                    identity = identity(content);
                    if (identity instanceof String || identity == null) {
                        content = null; // gone, or not a regular file: never opened
                        identity = null;
                    }
                }
                file = content == null || (system && bound != null) ? null : symbols(content, identity);
                fileRead = true;
            }
            List<String> defined = union(rule.symbols(), bound, file == null ? null : file.symbols());
            if (!defined.isEmpty() && defined.size() >= rule.symbolsMin()) {
                findings.add(Finding.strong(rule, source, shown, defined, detail));
                continue;
            }
            String setting = started != null && !rule.requires().isEmpty() && rule.isRequired(fileName)
                    ? switchedOnBy(rule) : null;
            if (setting != null) {
                findings.add(Finding.strong(rule, source, shown, List.of(), "it switches on " + rule.profiler() + ": "
                        + setting + "; " + detail));
                continue;
            }
            if (rule.isLibrary(fileName)) {
                if (content != null || linker || source == Source.MAPPED_OBJECT) {
                    findings.add(Finding.strong(rule, source, shown, List.of(), "the tool's own library; " + detail));
                } else {
                    findings.add(Finding.weak(rule, source, shown, "named like the tool's own library; " + detail));
                }
                continue;
            }
            if (!rule.marks().isEmpty() && !system) {
                List<String> inMemory = linker ? ask(linkerName, rule.marks(), false) : null;
                List<String> inFile = file != null && file.status() != ElfResult.Status.NOT_ELF ? marks(content, identity) : null;
                List<String> carried = union(rule.marks(), inMemory, inFile);
                if (carried.size() == rule.marks().size()) {
                    findings.add(Finding.strong(rule, source, shown, List.of(), "carries " + String.join(", ", carried)
                            + " though it exports none of the client's symbols (hidden or stripped)"
                            + (inFile == null || inFile.size() < carried.size() ? " in its loaded memory" : "")
                            + "; " + detail));
                    continue;
                }
            }
            long fill = Math.max(zeroFill, file == null ? 0 : file.zeroFill());
            if (rule.matchesName(fileName)) {
                String why = file == null || file.status() == ElfResult.Status.NOT_ELF ? "name matches; "
                        : file.status() == ElfResult.Status.OK ? "name matches, no client symbols; "
                        : "name matches; " + file.reason() + "; ";
                findings.add(Finding.weak(rule, source, shown, why + detail));
            } else if (rule.zeroFill() > 0 && fill >= rule.zeroFill()) {
                findings.add(Finding.weak(rule, source, shown, zeroFillDetail(fill) + "; " + detail));
            }
        }
        if (findings.isEmpty() && unreadableMatters && file != null && file.status() == ElfResult.Status.UNREADABLE) {
            findings.add(Finding.unknown(source, shown, "could not read its symbols: " + file.reason()));
        }
        return findings;
    }

    /**
     * Strong findings for the rules whose symbols the ELF object mapped at {@code base} defines in
     * its dynamic symbol table, read in this JVM's memory through the probe: what a mapping holds,
     * whatever file its name points at now (red team round 11: a client mapped from a detached
     * mount under the C library's name, whose file by that name is the real C library). None
     * without the probe (another process, a file) or when no ELF object is there.
     */
    public List<Finding> mappedImage(Source source, String shown, long base, String detail) {
        if (probe == null || base <= 0 || rules.allSymbols().isEmpty()) {
            return List.of();
        }
        List<String> all;
        try {
            all = probe.definedSymbolsAt(base, rules.allSymbols());
        } catch (RuntimeException e) {
            return List.of(); // unreadable there: the file's evidence stands
        }
        List<Finding> findings = new ArrayList<>();
        for (Rule rule : all == null || all.isEmpty() ? List.<Rule>of() : rules.rules()) {
            List<String> defined = union(rule.symbols(), all, null);
            if (!defined.isEmpty() && defined.size() >= rule.symbolsMin()) {
                findings.add(Finding.strong(rule, source, shown, defined, "in its mapped image; " + detail));
            }
        }
        return findings;
    }

    /**
     * Findings about a file that is not (or not known to be) a library: a capture file by its
     * first bytes (strong) or its name (strong when open in a process, else weak), or a file
     * named like the client's library.
     *
     * @param open whether a process holds it open (its capture file, being written)
     */
    public List<Finding> dataFile(Source source, String shown, Path content, boolean open, String detail) {
        byte[] head = new byte[HEAD];
        int length = content == null ? 0 : Math.max(0, headOf(content, head)); // else judged by name alone
        return dataFile(source, shown, head, length, open, detail);
    }

    /**
     * The first bytes of a regular file: their count; -1 when it cannot be read (gone, not regular,
     * unreadable); {@link Probe#HEAD_BUSY} when another process holds a lease on it. Through the
     * probe, opened without waiting: a blocking open waits the kernel's lease-break time (45 s by
     * default) for each such file, and a helper process holding leases on files it made in the
     * working directory stalled the watcher and the JVM's end (red team round 21). Without the
     * probe, a plain read.
     */
    public int headOf(Path content, byte[] into) {
        if (probe != null) {
            try {
                return probe.readHead(content.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), into);
            } catch (RuntimeException | LinkageError e) {
                return -1;
            }
        }
        try {
            return FileMarks.head(content, into);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Like {@link #dataFile(Source, String, Path, boolean, String)}, from the file's first bytes already read. */
    public List<Finding> dataFile(Source source, String shown, byte[] head, int length, boolean open, String detail) {
        List<Finding> findings = new ArrayList<>();
        String fileName = fileName(shown);
        for (Rule rule : rules.rules()) {
            if (rule.matchesCaptureHeader(head, length)) {
                findings.add(Finding.strong(rule, source, shown, List.of(), "a capture file by its content (header "
                        + hex(head, Math.min(length, 5)) + "): allocations with stack traces; " + detail));
            } else if (rule.matchesCaptureFile(fileName)) {
                findings.add(open ? Finding.strong(rule, source, shown, List.of(), "a capture file by its name; " + detail)
                        : Finding.weak(rule, source, shown, "a capture file by its name; " + detail));
            } else if (!open && rule.matchesName(fileName)) {
                findings.add(Finding.weak(rule, source, shown, "named like the client, not a native library; " + detail));
            }
        }
        return findings;
    }

    /** Whether the linker names an object that is a file (not the main program or the vDSO) and not the probe itself. */
    public boolean isJudgeable(LoadedObject object, LoadedObject self) {
        return object.isFile() && !(self != null && self.base() == object.base() && self.key().equals(object.key()));
    }

    /** "HEAPPROFILE matches *" when the start environment has a variable of the rule's variables.match set so, else null. */
    private String switchedOnBy(Rule rule) {
        Map<String, String> env = started.environment().value();
        for (String setting : env == null ? List.<String>of() : rule.settings()) {
            String name = setting.substring(0, setting.indexOf('='));
            String value = env.get(name);
            if (value != null && rule.matchingSetting(name, value) != null) {
                return name + " matches " + setting.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** "a zero-filled segment of 1568 MiB, as large as the client's" */
    static String zeroFillDetail(long bytes) {
        return "a zero-filled segment of " + (bytes >> 20) + " MiB, as large as the client's";
    }

    /** What the linker says of the object named {@code name}: defined symbols, or marks in its memory. Null when it cannot say. */
    private List<String> ask(byte[] name, List<String> items, boolean symbolsWanted) {
        try {
            return symbolsWanted ? probe.definedSymbols(name, items) : probe.marks(name, items);
        } catch (RuntimeException | LinkageError e) {
            return null; // the file side still speaks
        }
    }

    /**
     * A regular file's identity (device and inode, size, modification time) for the caches; a
     * String saying what it is when it is not a regular file; null when it cannot be stat'ed.
     */
    private static Object identity(Path content) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(content, BasicFileAttributes.class);
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null;
        }
        if (!attributes.isRegularFile()) {
            return attributes.isDirectory() ? "a directory" : "not a regular file (a FIFO, device or socket)";
        }
        return List.of(String.valueOf(attributes.fileKey()), attributes.size(), attributes.lastModifiedTime().toMillis());
    }

    private ElfResult symbols(Path content, Object identity) {
        ElfResult result = symbols.get(identity);
        if (result == null) {
            result = elf.read(content);
            symbols.put(identity, result);
        }
        return result;
    }

    private List<String> marks(Path content, Object identity) {
        List<String> found = marks.get(identity);
        if (found == null) {
            try {
                found = FileMarks.find(content, rules.allMarks());
            } catch (IOException | RuntimeException e) {
                found = List.of();
            }
            marks.put(identity, found);
        }
        return found;
    }

    /** The items of {@code order} present in either list, in rule order. */
    private static List<String> union(List<String> order, List<String> first, List<String> second) {
        List<String> all = new ArrayList<>();
        for (String item : order) {
            if ((first != null && first.contains(item)) || (second != null && second.contains(item))) {
                all.add(item);
            }
        }
        return all;
    }

    private static String hex(byte[] bytes, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(i == 0 ? "" : " ").append(Character.forDigit((bytes[i] >> 4) & 0xf, 16))
                    .append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        return text.toString();
    }

    /** The last component of a path (or of an archive entry's shown path). */
    public static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /**
     * Where this JVM can read the file the linker loaded under {@code name}: the path itself when
     * the name is valid UTF-8 text, else (names that are not text) the probe opens it by its bytes
     * and it is read through /proc/self/fd; {@code fd[0]} then holds the descriptor to close.
     */
    public Path contentOf(byte[] name, int[] fd) {
        String text = Names.strictUtf8(name);
        if (text != null && "UTF-8".equals(Config.jvmProperty("sun.jnu.encoding", "UTF-8"))) {
            return Path.of(text);
        }
        if (text != null && isAscii(name)) {
            return Path.of(text);
        }
        if (probe == null) {
            return null;
        }
        boolean[] notRegular = new boolean[1];
        int opened = probe.openRegular(name, notRegular);
        if (opened < 0) {
            return null;
        }
        fd[0] = opened;
        return Path.of("/proc/self/fd/" + opened);
    }

    private static boolean isAscii(byte[] name) {
        for (byte b : name) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
