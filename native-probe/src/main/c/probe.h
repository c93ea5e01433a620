/*
 * profguard's native probe: asks the dynamic linker what Java cannot see. Internal functions are
 * named probe_<verb>_<object>, return PROBE_* codes and never abort or throw, nor exit but for
 * probe_end_process, whose purpose that is; only
 * probe_jni.c talks to the JVM. Nothing is exported but the JNI entry points: JNI_OnLoad and the
 * Java_* functions it registers (exported so that the javac -h header checks their signatures).
 */
#ifndef PROFGUARD_PROBE_H
#define PROFGUARD_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <link.h>

#define PROBE_ABI_VERSION 10

enum probe_status {
    PROBE_OK = 0,
    PROBE_NOT_LOADED = 1,   /* no loaded object has that name */
    PROBE_NO_SYMBOL = 2,    /* the object does not define that symbol itself */
    PROBE_TOO_LARGE = 3,    /* a bound was reached */
    PROBE_NO_MEMORY = 4,
    PROBE_BAD_INPUT = 5,
    PROBE_UNAVAILABLE = 6,  /* the C library lacks what is needed, or the call failed */
    PROBE_NOT_REGULAR = 7,  /* the path names a FIFO, device, socket or directory: never read */
    PROBE_BUSY = 8          /* held under another process's lease: opening it would wait (45 s by default) */
};

/* A growable byte buffer; every append is bounded by limit. */
struct probe_buffer {
    unsigned char *data;
    size_t size;
    size_t capacity;
    size_t limit;
};

void probe_init_buffer(struct probe_buffer *buffer, size_t limit);
int probe_append_buffer(struct probe_buffer *buffer, const void *bytes, size_t count);
void probe_free_buffer(struct probe_buffer *buffer);

/*
 * Grows the buffer to hold at least capacity bytes (within its limit), and appends without ever
 * allocating: what a dl_iterate_phdr callback must do. It runs holding the dynamic linker's lock,
 * and a malloc there can deadlock with an allocator whose hooks unwind the stack (tcmalloc's heap
 * profiler: its unwinder takes a lock of its own, then the linker's) in another thread.
 */
int probe_reserve_buffer(struct probe_buffer *buffer, size_t capacity);
int probe_append_reserved(struct probe_buffer *buffer, const void *bytes, size_t count);

/*
 * Loaded objects as records: u64 base, u64 largest zero-fill (p_memsz - p_filesz of a PT_LOAD),
 * u32 name length, name bytes (native byte order). The main program has an empty name.
 */
int probe_list_objects(struct probe_buffer *out);

/* dlpi_adds + dlpi_subs: changes whenever an object is loaded or unloaded. */
int probe_count_changes(uint64_t *out);

/* defined[i] = 1 when the loaded object named path itself defines names[i]. */
int probe_find_symbols(const char *path, const char *const *names, size_t count, unsigned char *defined);

/* The GNU hash of a symbol name (DT_GNU_HASH), for probe_find_listed_symbols. */
uint32_t probe_symbol_hash(const char *name);

/*
 * probe_find_symbols for the object the linker lists at base under name (a record of
 * probe_list_objects), with each name's probe_symbol_hash given: a scan of many objects hashes its
 * names once.
 */
int probe_find_listed_symbols(uint64_t base, const char *name, const char *const *names, const uint32_t *hashes,
                              size_t count, unsigned char *defined);

/* Path of the object that a global lookup of name resolves to (interposition shows here). */
int probe_find_provider(const char *name, struct probe_buffer *out);

/* The live environment, NUL-separated entries, as environ holds it now. */
int probe_copy_environ(struct probe_buffer *out);

/*
 * found[i] = 1 when patterns[i] occurs in the file-backed, readable part of the loaded object
 * named path; read through process_vm_readv, so a bad page is an error, not a signal.
 */
int probe_find_marks(const char *path, const unsigned char *const *patterns, const size_t *lengths,
                     size_t count, unsigned char *found);

/* Calls the void(void) function symbol (e.g. rmemShutDown) that the object named path defines. */
int probe_call_shutdown(const char *path, const char *symbol);

/*
 * Opens path for reading only if it is a regular file, without ever blocking (O_NONBLOCK, then
 * fstat): *fd is the descriptor on PROBE_OK, -1 otherwise; PROBE_NOT_REGULAR for a FIFO, device,
 * socket or directory, PROBE_NOT_LOADED when it does not exist.
 */
int probe_open_regular(const char *path, int *fd);

/* probe_open_regular for name in the directory open as dir (openat). */
int probe_open_regular_at(int dir, const char *name, int *fd);

/*
 * A file of /proc, as probe_open_regular opens it but with O_NONBLOCK left set: procfs ignores
 * it, and clearing it is two system calls of each such file a first look reads.
 */
int probe_open_proc(const char *path, int *fd);

/*
 * realpath(path, real) != NULL, the kernel's answer: path opened O_PATH (nothing read, no device
 * opened) and its name read back from /proc/self/fd, three system calls where glibc's realpath
 * makes a readlink for every component of the path. realpath itself when that answer is not a
 * plain absolute path (no /proc, a deleted file, a name too long). real holds PATH_MAX bytes.
 */
int probe_real_path(const char *path, char *real);

/*
 * The kernel's name for the file open as opened (O_PATH will do) into real, as probe_real_path; 0
 * when it has none. fds: /proc/self/fd open as a directory, or -1 to name it whole.
 */
int probe_kernel_path(int fds, int opened, char *real);

/*
 * The first capacity bytes of the regular file at path, opened without waiting: their count, or
 * minus a status; -PROBE_BUSY when another process holds a lease on it (a blocking open waits the
 * kernel's lease-break time, 45 s by default, each time: red team round 21 stalled the JVM's end
 * so, one file after another).
 */
long probe_read_head(const char *path, unsigned char *into, size_t capacity);

/* Closes a descriptor from probe_open_regular. */
int probe_close_file(int fd);

/* This library's own name as the linker knows it, and its load address. */
int probe_find_self(struct probe_buffer *out, uint64_t *base);

/*
 * A NUL-terminated string of this process's memory at address, at most capacity bytes with its NUL:
 * read whole when it can be, byte by byte near the end of a mapping; PROBE_TOO_LARGE when longer.
 */
int probe_read_string(uint64_t address, char *into, size_t capacity);

/* A pointer-sized value of a dynamic section: ld.so relocates some in place, some not. */
uint64_t probe_absolute(uint64_t base, uint64_t value);

/* Copies length bytes of this process's memory at address; a bad page is PROBE_UNAVAILABLE, never a fault. */
int probe_read_memory(uintptr_t address, unsigned char *into, size_t length);

/*
 * Calls the void(void) function symbol defined by the ELF object mapped at base (its first
 * mapping), found through the object's own dynamic section in memory, as ld.so would: for an
 * object the linker's default namespace does not know (dlmopen into another link-map namespace).
 * Every read goes through probe_read_memory. PROBE_NO_SYMBOL when it does not define it.
 */
int probe_call_shutdown_at(uint64_t base, const char *symbol);

/*
 * Finds symbol in the dynamic symbol table of the ELF object whose header is mapped at base, as
 * ld.so would (PT_DYNAMIC, DT_GNU_HASH or DT_HASH), every read through probe_read_memory:
 * PROBE_OK with its address, PROBE_NO_SYMBOL when it does not define it (any type, or functions
 * only when functions is set), PROBE_NOT_LOADED when no ELF header is there.
 */
int probe_find_symbol_at(uint64_t base, const char *symbol, int functions, uint64_t *address);

/*
 * defined[i] = 1 for each of names the ELF object whose header is mapped at base defines in its own
 * dynamic symbol table, read in memory (probe_read_memory: a bad page is an error, never a fault):
 * what a mapping really holds, whatever file its name points at now. PROBE_NOT_LOADED when no ELF
 * object is there.
 */
int probe_find_symbols_at(uint64_t base, const char *const *names, size_t count, unsigned char *defined);

/* defined[i] = 1 when the main program's own dynamic symbol table defines names[i] (any version), read in place. */
int probe_find_main_symbols(const char *const *names, size_t count, unsigned char *defined);

/*
 * The address range [*start, *end) of the loadable segments of the ELF object whose header is
 * mapped at base, read in memory: what the linker mapped for it. PROBE_NOT_LOADED when no ELF
 * header is there.
 */
int probe_object_span(uint64_t base, uint64_t *start, uint64_t *end);

/*
 * probe_object_span for count objects at once: the headers in one process_vm_readv, the
 * program header tables in a second, where one object at a time took two calls each (a JVM lists
 * about twenty). status[i] is what probe_object_span would return for bases[i].
 */
void probe_object_spans(const uint64_t *bases, size_t count, uint64_t *starts, uint64_t *ends, int *status);

/*
 * What dl_iterate_phdr reports of an object that code in the process can change, copied through
 * process_vm_readv in one call, never read in place: its program headers (in its own image, which
 * it can make unreadable or a userfaultfd trap: red team round 20) into phdrs, and, when name is
 * given, whether its name (the linker's l_name, which can point anywhere) is name (*named). The
 * number of headers copied: 0 when they could not be read or are more than capacity.
 */
size_t probe_copy_record(const struct dl_phdr_info *info, const char *name, ElfW(Phdr) *phdrs, size_t capacity,
                         int *named);

/* The most regions probe_read_regions reads in one call. */
#define PROBE_MAX_REGIONS 64

/*
 * Reads count (at most PROBE_MAX_REGIONS) regions of this process's memory, each at addresses[i]
 * into into[i], lengths[i] bytes, in one process_vm_readv; a region the one call could not read
 * whole (a short read stops at the first that fails) is read again on its own. read[i]: region i
 * was read whole.
 */
void probe_read_regions(const uintptr_t *addresses, unsigned char *const *into, const size_t *lengths, size_t count,
                        int *read);

/* Where the main program's first segment (its ELF header) is mapped, as the dynamic linker has it. */
int probe_main_start(uint64_t *start);

/* The largest zero-fill of the ELF object whose header is mapped at base, read from memory; 0 if unreadable. */
uint64_t probe_zero_fill_at(uint64_t base);

/*
 * Where the GOT slot of the imported function name lives in the loaded object named path (its
 * R_X86_64_JUMP_SLOT or GLOB_DAT relocation): *slot. PROBE_NO_SYMBOL when it imports none.
 */
int probe_find_slot(const char *path, const char *name, uint64_t *slot);

/*
 * Audits the GOT slots of names[] in the loaded object named path (e.g. libjvm.so's malloc, free):
 * for each slot that points neither where dlsym(RTLD_DEFAULT) binds the name nor into the object
 * itself (not bound yet), a record u32 index into names, u32 length, the path of the object the
 * slot points into ("" for none). Nothing for names it does not import. PROBE_NOT_LOADED when no
 * object has that name.
 */
int probe_audit_slots(const char *path, const char *const *names, size_t count, struct probe_buffer *out);

/*
 * values[i] = 1 or 0: the boolean allocator control names[i] (jemalloc's "opt.prof") as mallctl
 * (or _rjem_mallctl) in the global scope reads it; -1 when no such function or control.
 */
int probe_read_controls(const char *const *names, size_t count, signed char *values);

/*
 * HOME/lib of the running JDK: two levels above the real path of the JVM's libjvm.so
 * (HOME/lib/VARIANT/libjvm.so, as probe_libjvm finds it). PROBE_NOT_LOADED when none is loaded.
 */
int probe_jdk_lib(char *lib, size_t capacity);
/*
 * The JVM's own libjvm.so as the linker lists it: the object probe_set_libjvm was given code of;
 * before that (outside a JVM: the C tests), the first object named libjvm.so, found through
 * dl_iterate_phdr without allocating in its callback.
 */
int probe_libjvm(char *path, size_t capacity);
/* Tells the probe which object is libjvm: the one holding this code address (from the JVM). */
void probe_set_libjvm(const void *code);

/*
 * The resource name of module in the runtime image the JVM runs from (HOME/lib/modules, HOME two
 * levels above the real path of the loaded libjvm.so), read through the libjimage.so the JVM
 * loaded from HOME/lib (never one loaded anew): out receives its bytes, within out's limit.
 * PROBE_NOT_LOADED when that libjimage is not loaded or the image has no such resource.
 */
int probe_read_image_resource(const char *module, const char *name, struct probe_buffer *out);

/* The most a resource of the runtime image (a class file; the JDK's largest are a few hundred KB) may take, read or patched. */
#define PROBE_MAX_IMAGE_RESOURCE ((size_t)4 << 20)

/* The methods the load gate's call goes in front of, and the call (entry_patch.c). */
struct probe_entry_target {
    const char *method;          /* instance methods of this name */
    const char *prefix;          /* whose descriptor starts so: (Class, String, ...) or (String) */
    const char *route;           /* the route the call reports ("jni", "ffm") */
    const char *owner;           /* internal name of the class whose static load is called */
    const char *load_descriptor; /* its descriptor */
};

/*
 * The class file in with the gate's call put in front of each target method, as the agent's
 * EntryPatch writes it, byte for byte, into out; *patched the number of methods patched.
 * PROBE_NO_SYMBOL when no method is a target; PROBE_BAD_INPUT when the class file is malformed or
 * has something this does not handle (the agent's Java patcher then decides).
 */
int probe_patch_entry(const unsigned char *in, size_t length, const struct probe_entry_target *target,
                      struct probe_buffer *out, int *patched);

/* The fields of one /proc/self/maps line (proc(5)); path points into the line. */
struct probe_maps_line {
    unsigned long long start;
    unsigned long long end;
    unsigned long long offset;
    char perms[5];
    char device[32];
    char inode[24];
    const char *path; /* "" for an anonymous mapping */
};

/*
 * Parses a NUL-terminated maps line (without its newline) strictly as the kernel writes it: 1 when
 * it is one, 0 when malformed (start_scan.c then leaves the judgement to the Java side).
 */
int probe_parse_maps_line(const char *line, struct probe_maps_line *fields);

/* One mapping of this process (mappings.c); path "" or "[name]" for an anonymous one. */
struct probe_mapping {
    uint64_t start;
    uint64_t end;
    uint64_t offset;
    int executable;
    unsigned long long device; /* major << 32 | minor */
    unsigned long long inode;
    const char *path;          /* as the maps text shows it, or (query) unescaped */
};

typedef void (*probe_mapping_fn)(void *context, const struct probe_mapping *mapping);

/*
 * This process's mappings in address order, each to each: query set, through PROCMAP_QUERY (file
 * mappings only; PROBE_UNAVAILABLE when the kernel does not answer it, and the caller reads the
 * text); else /proc/self/maps as text (every line; *malformed counts those not as proc(5) has them).
 */
int probe_read_mappings(int query, probe_mapping_fn each, void *context, int *malformed);

/*
 * The file the kernel maps for path now, as the maps show a mapping of it: its device (major << 32
 * | minor) and inode. A page of it is mapped (PROT_READ, never touched) and the mapping asked of
 * (PROCMAP_QUERY, else the maps text), then unmapped. On a stacked file system (overlayfs) stat(2)
 * gives the overlay's device where the maps give the layer's: this is the one comparison with a
 * mapping that holds there, and it is exact (red team round 20: a file of the same inode number on
 * another device, bind-mounted under the mapping's name, passed for the mapped file). Only a
 * regular file is opened (probe_open_regular).
 */
int probe_mapped_file(const char *path, unsigned long long *device, unsigned long long *inode);

/* A file of /proc read whole into out, within its limit; never a non-regular file's (probe_open_proc). */
int probe_read_small_file(const char *path, struct probe_buffer *out);

/* Ends the process with _exit(status): no atexit handler or library destructor runs. */
void probe_end_process(int status);

/*
 * The built-in rules as the start-up scan reads them (start_scan.c): one "kind value" per line,
 * kinds rule, strength, symbol, symbols.min, name, library, variable, setting (NAME=GLOB),
 * requires, argument, tracer, mallctl, slot, capture, header (hex), zerofill, mark; any other kind is
 * PROBE_BAD_INPUT, so rules this scan cannot look for are never taken as clean.
 * The items point into text, a copy of the input that the rules own.
 */
#define PROBE_MAX_RULES_TEXT ((size_t)1 << 20)
#define PROBE_MAX_JUDGED 4096 /* files the gate judged, passed to the first look at the JVM's end */
#define PROBE_MAX_RULE_ITEMS 512

/* Items of one kind, pointing into the rules' text. */
struct probe_items {
    const char *items[PROBE_MAX_RULE_ITEMS];
    size_t count;
};

struct probe_start_rules {
    char *text;
    struct probe_items symbols;
    struct probe_items names;     /* the client's names and the tools' libraries: file-name globs */
    struct probe_items variables; /* variables, and the variables of settings */
    struct probe_items captures;
    struct probe_items headers;   /* decoded in place: header_lengths[i] bytes each */
    size_t header_lengths[PROBE_MAX_RULE_ITEMS];
    struct probe_items arguments;
    struct probe_items tracers;
    struct probe_items controls;
    struct probe_items own;       /* the guard's own variables (options, tag): a name, or a prefix ending in '*' */
    uint64_t zero_fill; /* the smallest a rule names; 0: none */
    /*
     * Files the load gate read whole and found mapped as it judged them (device, inode and change
     * time in nanoseconds as stat(2) gives them, triples): a listed object of one of them, unchanged
     * since, is placed as the system's are, judged by its image in memory. NULL at start-up; set by
     * the caller, not parsed.
     */
    const uint64_t *judged;
    size_t judged_count;
    /*
     * The look at the JVM's end: the working directory's names are looked at too, for a rule's
     * capture file name (a client loaded, shut down and unloaded since the last look leaves only
     * that, and native code can put the linker's counter back: red team round 21). Set by the
     * caller, not parsed.
     */
    int at_end;
};

int probe_parse_start_rules(const char *text, size_t length, struct probe_start_rules *rules);
void probe_free_start_rules(struct probe_start_rules *rules);

/* rules/Glob.matches for ASCII names: case-insensitive '*' and '?'. */
int probe_glob_matches(const char *glob, const char *name);

/* What made the start-up scan look closer: where something may be. */
enum probe_scan_reason {
    PROBE_SCAN_OBJECT = 1,      /* a loaded object named, shaped or placed like a client, or defining its symbols */
    PROBE_SCAN_MAPPING = 2,     /* a mapped file named like one, deleted, or code the linker does not list */
    PROBE_SCAN_ENVIRONMENT = 4, /* LD_PRELOAD, LD_AUDIT, a rule's variable, an agent in an options variable,
                                   the guard's own variables changed since the process started */
    PROBE_SCAN_ARGUMENT = 8,    /* an agent or an @argfile on the command line */
    PROBE_SCAN_OPEN_FILE = 16,  /* a descriptor on a capture file, by header or name */
    PROBE_SCAN_INCOMPLETE = 32, /* something could not be read: the full scan says what */
    PROBE_SCAN_TRACER = 64      /* a process traces this one (ptrace) */
};

/*
 * The start-up scan's first look (start_scan.c): *reasons is 0 only where the agent's full scan
 * with the same rules would find nothing; otherwise the probe_scan_reason bits of what to look at.
 */
int probe_scan_start(const struct probe_start_rules *rules, uint32_t *reasons);

#endif
