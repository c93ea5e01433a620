#define _GNU_SOURCE
/*
 * The start-up scan's first look, in one call: whether this process holds anything the built-in
 * rules could say a word about. It answers "nothing" only where the agent's full evidence ladder
 * (detect/Scanner, in Java) would find nothing either, so that a clean start need not load that
 * ladder at all; anything it is not sure of is a reason to look closer, never a verdict. The
 * rules come as data: the agent's build writes them from its built-in rules text (the one
 * source) in the line format parsed below.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "probe.h"

#define PROBE_MAX_CMDLINE ((size_t)4 << 20)
#define PROBE_MAX_MAPS_RECORDS ((size_t)64 << 20)
#define PROBE_MAX_MAPS_NAMES ((size_t)64 << 20)
#define PROBE_MAX_KNOWN 1024 /* objects the linker lists; past that, code is looked closer at (32 KiB of stack) */
#define PROBE_MAX_FDS 4096
#define PROBE_HEAD 64

extern char **environ;


/* The system's library directories themselves (detect/Locations.SYSTEM_DIRS). */
static const char *const probe_system_dirs[] = {"/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32", "/usr/lib64",
                                                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"};

/* Variables whose content the JVM or its launcher parse as options (detect/EnvironmentDetector). */
static const char *const probe_option_variables[] = {"JAVA_TOOL_OPTIONS=", "JDK_JAVA_OPTIONS=", "_JAVA_OPTIONS="};

static int probe_add_item(struct probe_items *items, const char *item)
{
    if (items->count >= PROBE_MAX_RULE_ITEMS) {
        return PROBE_TOO_LARGE;
    }
    items->items[items->count++] = item;
    return PROBE_OK;
}

static int probe_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Whether a line's kind (its first length bytes) is keyword: lengths first, a byte compare only where they agree. */
static int probe_keyword(const char *line, size_t length, const char *keyword)
{
    return strlen(keyword) == length && memcmp(line, keyword, length) == 0;
}

int probe_parse_start_rules(const char *text, size_t length, struct probe_start_rules *rules)
{
    memset(rules, 0, sizeof *rules);
    if (text == NULL || length == 0 || length > PROBE_MAX_RULES_TEXT) {
        return PROBE_BAD_INPUT;
    }
    rules->text = malloc(length + 1);
    if (rules->text == NULL) {
        return PROBE_NO_MEMORY;
    }
    memcpy(rules->text, text, length);
    rules->text[length] = '\0';
    int status = PROBE_OK;
    int rule_count = 0;
    char *line = rules->text;
    while (status == PROBE_OK && line != NULL && *line != '\0') {
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = '\0';
        }
        char *value = strchr(line, ' ');
        if (value == NULL || value[1] == '\0') {
            status = PROBE_BAD_INPUT;
            break;
        }
        *value++ = '\0';
        size_t kind = (size_t)(value - 1 - line);
        if (probe_keyword(line, kind, "rule")) {
            rule_count++;
        } else if (probe_keyword(line, kind, "symbol")) {
            status = probe_add_item(&rules->symbols, value);
        } else if (probe_keyword(line, kind, "name") || probe_keyword(line, kind, "library")) {
            /* a tool's own library is looked for by name like the client's names: anything named so is looked at */
            status = probe_add_item(&rules->names, value);
        } else if (probe_keyword(line, kind, "variable")) {
            status = probe_add_item(&rules->variables, value);
        } else if (probe_keyword(line, kind, "setting")) {
            /* NAME=GLOB: the variable set at all is reason enough to look closer (its value, and what
               the setting requires, are the Java side's to judge) */
            char *equals = strchr(value, '=');
            if (equals == NULL || equals == value) {
                status = PROBE_BAD_INPUT;
                break;
            }
            *equals = '\0';
            status = probe_add_item(&rules->variables, value);
        } else if (probe_keyword(line, kind, "argument")) {
            status = probe_add_item(&rules->arguments, value);
        } else if (probe_keyword(line, kind, "tracer")) {
            status = probe_add_item(&rules->tracers, value);
        } else if (probe_keyword(line, kind, "own")) {
            status = probe_add_item(&rules->own, value);
        } else if (probe_keyword(line, kind, "mallctl")) {
            status = probe_add_item(&rules->controls, value);
        } else if (probe_keyword(line, kind, "capture")) {
            status = probe_add_item(&rules->captures, value);
        } else if (probe_keyword(line, kind, "header")) {
            size_t digits = strlen(value);
            if (digits == 0 || digits % 2 != 0 || digits / 2 > PROBE_HEAD) {
                status = PROBE_BAD_INPUT;
                break;
            }
            for (size_t i = 0; i < digits / 2; i++) {
                int high = probe_hex_value(value[2 * i]);
                int low = probe_hex_value(value[2 * i + 1]);
                if (high < 0 || low < 0) {
                    status = PROBE_BAD_INPUT;
                    break;
                }
                value[i] = (char)(high * 16 + low); /* decoded in place: half as long */
            }
            if (status == PROBE_OK && rules->headers.count < PROBE_MAX_RULE_ITEMS) {
                rules->header_lengths[rules->headers.count] = digits / 2;
                rules->headers.items[rules->headers.count++] = value;
            } else if (status == PROBE_OK) {
                status = PROBE_TOO_LARGE;
            }
        } else if (probe_keyword(line, kind, "zerofill")) {
            char *rest = NULL;
            errno = 0;
            unsigned long long fill = strtoull(value, &rest, 10);
            if (errno != 0 || value[0] < '0' || value[0] > '9' || *rest != '\0') {
                status = PROBE_BAD_INPUT;
            } else if (fill > 0 && (rules->zero_fill == 0 || fill < rules->zero_fill)) {
                rules->zero_fill = (uint64_t)fill;
            }
        } else if (!probe_keyword(line, kind, "mark") && !probe_keyword(line, kind, "symbols.min") && !probe_keyword(line, kind, "strength")
                   && !probe_keyword(line, kind, "requires") && !probe_keyword(line, kind, "slot")) {
            /* slot: the GOT audit runs on the watcher's ticks, after start-up, whichever look came first */
            /* marks: a loaded object outside the system's places is looked closer at anyway, and inside
               them the ladder does not search for marks either. Any other kind is one this scan does
               not know how to look for: it must not answer "nothing" for rules it cannot read. */
            status = PROBE_BAD_INPUT;
        }
        line = end == NULL ? NULL : end + 1;
    }
    if (status == PROBE_OK && rule_count == 0) {
        status = PROBE_BAD_INPUT;
    }
    if (status != PROBE_OK) {
        probe_free_start_rules(rules);
    }
    return status;
}

void probe_free_start_rules(struct probe_start_rules *rules)
{
    free(rules->text);
    memset(rules, 0, sizeof *rules);
}

static unsigned char probe_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* rules/Glob.matches for ASCII: case-insensitive '*' and '?', single-star backtracking. */
int probe_glob_matches(const char *glob, const char *name)
{
    size_t g = 0, n = 0, mark = 0;
    size_t star = (size_t)-1;
    while (name[n] != '\0') {
        if (glob[g] != '\0' && (glob[g] == '?' || probe_lower((unsigned char)glob[g]) == probe_lower((unsigned char)name[n]))) {
            g++;
            n++;
        } else if (glob[g] == '*') {
            star = g++;
            mark = n;
        } else if (star != (size_t)-1) {
            g = star + 1;
            n = ++mark;
        } else {
            return 0;
        }
    }
    while (glob[g] == '*') {
        g++;
    }
    return glob[g] == '\0';
}

static int probe_is_ascii(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if ((unsigned char)text[i] >= 0x80) {
            return 0;
        }
    }
    return 1;
}

static const char *probe_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash == NULL ? path : slash + 1;
}

static int probe_any_glob(const struct probe_items *globs, const char *file_name)
{
    for (size_t i = 0; i < globs->count; i++) {
        if (probe_glob_matches(globs->items[i], file_name)) {
            return 1;
        }
    }
    return 0;
}

/* Whether a name is one the rules' library names could match; non-ASCII: the Java side decides. */
static int probe_name_suspect(const struct probe_start_rules *rules, const char *path)
{
    return !probe_is_ascii(path, strlen(path)) || probe_any_glob(&rules->names, probe_base_name(path));
}

/* Whether a file or directory, so stat'ed, can only have been put there by root: owned by root, writable by no one else. */
static int probe_owned_by_root(const struct stat *status)
{
    return status->st_uid == 0 && (status->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

static int probe_root_only(const char *path)
{
    struct stat status;
    return stat(path, &status) == 0 && probe_owned_by_root(&status);
}

/*
 * Whether name and real (its real path) are one file, by device and inode, links followed; *at_real
 * is real's stat. Through another mount namespace (/proc/PID/root/usr/lib/...) a name reads back
 * as a path that is another file here, the system's own (red team round 13).
 */
static int probe_same_file(const char *name, const char *real, struct stat *at_real)
{
    struct stat named;
    return stat(name, &named) == 0 && stat(real, at_real) == 0 && named.st_dev == at_real->st_dev
           && named.st_ino == at_real->st_ino;
}

/*
 * The next record of a probe_list_objects blob at *at: its base, zero-fill and NUL-terminated name
 * (at most PATH_MAX - 1 bytes). 1 when read, 0 at the end, -1 for a record that does not fit.
 */
static int probe_next_object(const struct probe_buffer *objects, size_t *at, uint64_t *base, uint64_t *zero_fill,
                             char *name, uint32_t *length)
{
    if (*at + 20 > objects->size) {
        return 0;
    }
    memcpy(base, objects->data + *at, sizeof *base);
    memcpy(zero_fill, objects->data + *at + 8, sizeof *zero_fill);
    memcpy(length, objects->data + *at + 16, sizeof *length);
    if (*at + 20 + *length > objects->size || *length >= PATH_MAX) {
        return -1;
    }
    memcpy(name, objects->data + *at + 20, *length);
    name[*length] = '\0';
    *at += 20 + *length;
    return 1;
}

/*
 * The running JDK's own directory as detect/Locations.jdkHome finds it: three levels above the
 * real path of the loaded libjvm.so (HOME/lib/VARIANT/libjvm.so), and only when root alone can
 * change it; "" otherwise. Not the launcher's place: a copied launcher beside links into a JDK
 * would make any directory "the JDK".
 */
static void probe_jdk_home(char *home, size_t capacity)
{
    home[0] = '\0';
    char lib[PATH_MAX];
    if (probe_jdk_lib(lib, sizeof lib) != PROBE_OK) {
        return;
    }
    char *slash = strrchr(lib, '/');
    if (slash == NULL || slash == lib || strcmp(slash, "/lib") != 0) {
        return;
    }
    *slash = '\0';
    if (strlen(lib) < capacity && probe_root_only(lib)) {
        strcpy(home, lib);
    }
}

/* The places of detect/Locations.isSystem for a real path: directly in a system library directory, or under the JDK. */
static int probe_placed(const char *real, const char *jdk_home)
{
    const char *slash = strrchr(real, '/');
    if (slash == NULL || slash == real) {
        return 0;
    }
    size_t dir = (size_t)(slash - real);
    size_t home = strlen(jdk_home);
    int placed = home > 0 && strncmp(real, jdk_home, home) == 0 && real[home] == '/';
    for (size_t i = 0; !placed && i < sizeof probe_system_dirs / sizeof probe_system_dirs[0]; i++) {
        placed = strlen(probe_system_dirs[i]) == dir && strncmp(real, probe_system_dirs[i], dir) == 0;
    }
    return placed && dir < PATH_MAX;
}

/* Whether root alone can change the directory that holds the real path real. */
static int probe_parent_root_only(const char *real)
{
    const char *slash = strrchr(real, '/');
    if (slash == NULL) {
        return 0;
    }
    size_t dir = slash == real ? 1 : (size_t)(slash - real);
    char parent[PATH_MAX];
    memcpy(parent, real, dir);
    parent[dir] = '\0';
    return probe_root_only(parent);
}

/*
 * detect/Locations.isSystem on a real path: directly in a system library directory, or under the
 * JDK, and both the file and its directory such that only root can have put it there.
 */
static int probe_in_system_place(const char *real, const char *jdk_home)
{
    return probe_placed(real, jdk_home) && probe_root_only(real) && probe_parent_root_only(real);
}

/*
 * The directories of one scan's loaded objects, each resolved once. A JVM maps a dozen objects or
 * more from two or three directories, and realpath resolves every component of every name (a
 * readlink each): that was most of the first look's system calls.
 */
#define PROBE_MAX_PLACES 32
struct probe_place {
    char *dir;     /* as the linker names it */
    char *real;    /* its real path; NULL when it cannot be resolved */
    int root_only; /* root alone can change the real directory */
    int fd;        /* the directory, open (O_PATH) for the names in it to be asked of; -1 when not */
};

struct probe_places {
    struct probe_place place[PROBE_MAX_PLACES];
    size_t count;
    int fds; /* /proc/self/fd, open once a scan for the places' real paths; -1 until then */
};

static void probe_free_places(struct probe_places *places)
{
    for (size_t i = 0; i < places->count; i++) {
        free(places->place[i].dir);
        free(places->place[i].real);
        if (places->place[i].fd >= 0) {
            close(places->place[i].fd);
        }
    }
    places->count = 0;
    if (places->fds >= 0) {
        close(places->fds);
        places->fds = -1;
    }
}

/* The place for the first length bytes of name ("/" for none), resolved when first met; NULL when there is no room. */
static struct probe_place *probe_place_of(struct probe_places *places, const char *name, size_t length)
{
    char dir[PATH_MAX];
    if (length >= sizeof dir) {
        return NULL;
    }
    if (length == 0) {
        strcpy(dir, "/");
    } else {
        memcpy(dir, name, length);
        dir[length] = '\0';
    }
    for (size_t i = 0; i < places->count; i++) {
        if (strcmp(places->place[i].dir, dir) == 0) {
            return &places->place[i];
        }
    }
    if (places->count == PROBE_MAX_PLACES) {
        return NULL;
    }
    struct probe_place *place = &places->place[places->count];
    char real[PATH_MAX];
    struct stat named;
    struct stat at_real;
    /* the real path counts only as the same directory as the name it came from */
    int fd = open(dir, O_PATH | O_CLOEXEC);
    if (fd >= 0 && places->fds < 0) {
        places->fds = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    int resolved = (fd >= 0 && probe_kernel_path(places->fds, fd, real)) || realpath(dir, real) != NULL;
    resolved = resolved && (fd >= 0 ? fstat(fd, &named) : stat(dir, &named)) == 0 && stat(real, &at_real) == 0
               && named.st_dev == at_real.st_dev && named.st_ino == at_real.st_ino;
    place->dir = strdup(dir);
    place->real = resolved ? strdup(real) : NULL;
    if (place->dir == NULL || (resolved && place->real == NULL)) {
        free(place->dir);
        free(place->real);
        if (fd >= 0) {
            close(fd);
        }
        return NULL; /* no memory: resolved whole instead */
    }
    place->root_only = place->real != NULL && probe_owned_by_root(&at_real);
    place->fd = fd;
    places->count++;
    return place;
}

/*
 * realpath(name) of a loaded object into real, and whether root alone can change the real file
 * (*file_root_only) and its directory (*dir_root_only), as probe_in_system_place asks: with the
 * object's directory resolved once a scan, and a symbolic link to a name in the same directory
 * (libz.so.1 -> libz.so.1.2.13) followed there. Anything else (a link elsewhere, "." or "..") is
 * resolved whole by realpath. 0 when it cannot be resolved, as realpath failing.
 */
static int probe_resolve_object(struct probe_places *places, const char *name, char *real, struct stat *file,
                                int *file_root_only, int *dir_root_only)
{
    const char *slash = strrchr(name, '/');
    size_t dir = slash == NULL ? 0 : (size_t)(slash - name);
    char current[PATH_MAX];
    const char *base = NULL;
    struct stat status;
    /* the directory resolved (and open) once a scan; its names asked of it, one component each */
    struct probe_place *place = slash == NULL || strlen(name) >= sizeof current ? NULL : probe_place_of(places, name, dir);
    if (place != NULL && place->real == NULL) {
        return 0; /* its directory cannot be resolved: neither can the name */
    }
    if (place != NULL && place->fd >= 0) {
        strcpy(current, name);
        base = current + dir + 1;
        for (int hops = 0; hops < 8; hops++) {
            if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0
                || fstatat(place->fd, base, &status, AT_SYMLINK_NOFOLLOW) != 0) {
                base = NULL;
                break;
            }
            if (!S_ISLNK(status.st_mode)) {
                break;
            }
            char target[PATH_MAX];
            ssize_t n = readlinkat(place->fd, base, target, sizeof target - 1);
            if (n <= 0 || memchr(target, '/', (size_t)n) != NULL || dir + 1 + (size_t)n >= sizeof current) {
                base = NULL;
                break;
            }
            memcpy(current + dir + 1, target, (size_t)n);
            current[dir + 1 + (size_t)n] = '\0';
        }
        if (base != NULL && S_ISLNK(status.st_mode)) {
            base = NULL; /* a chain longer than that: realpath says what it is */
        }
    }
    if (base == NULL) {
        struct stat at_real;
        if (!probe_real_path(name, real) || !probe_same_file(name, real, &at_real)) {
            return 0; /* not resolved, or the real path is another file */
        }
        *file = at_real;
        *file_root_only = probe_owned_by_root(&at_real);
        *dir_root_only = probe_parent_root_only(real);
        return 1;
    }
    size_t real_dir = strlen(place->real);
    int root_dir = real_dir == 1; /* "/" */
    if (real_dir + 1 + strlen(base) >= PATH_MAX) {
        return 0; /* realpath's ENAMETOOLONG */
    }
    strcpy(real, place->real);
    if (!root_dir) {
        strcat(real, "/");
    }
    strcat(real, base);
    *file = status;
    *file_root_only = probe_owned_by_root(&status);
    *dir_root_only = place->root_only;
    return 1;
}

/* A file of /proc read into a buffer, at most limit bytes; PROBE_TOO_LARGE past that, never a non-regular file's. */
int probe_read_small_file(const char *path, struct probe_buffer *out)
{
    int fd = -1;
    int status = probe_open_proc(path, &fd);
    /* /proc files are regular files of size 0: read until the end, within the buffer's limit */
    unsigned char chunk[16384];
    while (status == PROBE_OK) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            status = got == 0 ? PROBE_OK : PROBE_UNAVAILABLE;
            break;
        }
        status = probe_append_buffer(out, chunk, (size_t)got);
    }
    if (fd >= 0) {
        close(fd);
    }
    return status;
}

/* A file's mapping as collected for judging; its name at name_at in the names buffer. */
struct probe_file_mapping {
    uint64_t start;
    uint64_t end;
    uint64_t offset;
    unsigned long long device;
    unsigned long long inode;
    size_t name_at;
    int executable;
};

/* Every file mapping of this process, in address order. */
struct probe_file_mappings {
    struct probe_buffer records;
    struct probe_buffer names;
    int failed;
    /*
     * Whether the devices read are the ones stat(2) gives: through PROCMAP_QUERY (Linux 6.11+) they
     * are; in the maps text of a kernel before 6.8 a file of a stacked file system (overlayfs: a
     * container's) shows the device of the layer under it, and only its inode is comparable.
     */
    int exact_devices;
};

/* probe_read_mappings' callback: file mappings kept, anonymous ones passed over. */
static void probe_collect_mapping(void *context, const struct probe_mapping *mapping)
{
    struct probe_file_mappings *all = context;
    if (mapping->path[0] != '/' || all->failed) {
        return;
    }
    struct probe_file_mapping record = {mapping->start, mapping->end, mapping->offset, mapping->device, mapping->inode,
                                        all->names.size, mapping->executable};
    if (probe_append_buffer(&all->names, mapping->path, strlen(mapping->path) + 1) != PROBE_OK
        || probe_append_buffer(&all->records, &record, sizeof record) != PROBE_OK) {
        all->failed = 1;
    }
}

/* The file mapped at start (its first mapping starts there), as device and inode; 0 when none is. */
static int probe_file_at(const struct probe_file_mappings *all, uint64_t start, unsigned long long identity[2])
{
    const struct probe_file_mapping *records = (const struct probe_file_mapping *)(const void *)all->records.data;
    size_t count = all->records.size / sizeof *records;
    for (size_t i = 0; i < count; i++) {
        if (records[i].start == start) {
            identity[0] = records[i].device;
            identity[1] = records[i].inode;
            return 1;
        }
    }
    return 0;
}

/*
 * Every file mapping of this process, read once a scan for both the objects and the mappings:
 * through PROCMAP_QUERY, else the maps text.
 */
static int probe_read_file_mappings(struct probe_file_mappings *all, int *malformed)
{
    probe_init_buffer(&all->records, PROBE_MAX_MAPS_RECORDS);
    probe_init_buffer(&all->names, PROBE_MAX_MAPS_NAMES);
    all->failed = 0;
    all->exact_devices = 1;
    int status = probe_read_mappings(1, probe_collect_mapping, all, malformed);
    if (status == PROBE_UNAVAILABLE) { /* no PROCMAP_QUERY here: the text */
        all->records.size = all->names.size = 0;
        all->failed = 0;
        all->exact_devices = 0;
        status = probe_read_mappings(0, probe_collect_mapping, all, malformed);
    }
    return status == PROBE_OK && all->failed ? PROBE_TOO_LARGE : status;
}

/* Whether the file mapped at base (its first mapping starts there) is the file stat'ed as file. */
static int probe_mapped_is(const struct probe_file_mappings *all, uint64_t base, const struct stat *file)
{
    unsigned long long mapped[2];
    return probe_file_at(all, base, mapped) && mapped[1] == (unsigned long long)file->st_ino
           && (!all->exact_devices || mapped[0] == ((unsigned long long)major(file->st_dev) << 32 | minor(file->st_dev)));
}

/* Every object the dynamic linker lists (and its own link maps hold), as detect/ProbeDetector judges them. */
static int probe_scan_objects(const struct probe_start_rules *rules, const struct probe_buffer *objects,
                              const struct probe_file_mappings *all, const char *jdk_home, uint64_t self_base,
                              uint32_t *reasons)
{
    int status = PROBE_OK;
    unsigned char defined[PROBE_MAX_RULE_ITEMS];
    size_t at = 0;
    uint64_t base, zero_fill;
    uint32_t length;
    char name[PATH_MAX];
    int got;
    struct probe_places places;
    places.count = 0;
    places.fds = -1;
    uint32_t hashes[PROBE_MAX_RULE_ITEMS]; /* each symbol's hash once a scan, not once an object */
    for (size_t i = 0; i < rules->symbols.count && i < PROBE_MAX_RULE_ITEMS; i++) {
        hashes[i] = probe_symbol_hash(rules->symbols.items[i]);
    }
    while (status == PROBE_OK && (got = probe_next_object(objects, &at, &base, &zero_fill, name, &length)) != 0) {
        if (got < 0) {
            status = PROBE_UNAVAILABLE;
            break;
        }
        if (memchr(name, '/', length) == NULL || strlen(name) != length || base == self_base) {
            continue; /* the main program, the vDSO, the probe itself: not files the ladder judges */
        }
        char real[PATH_MAX];
        int file_root_only = 0;
        int dir_root_only = 0;
        struct stat file;
        memset(&file, 0, sizeof file);
        int resolved = probe_resolve_object(&places, name, real, &file, &file_root_only, &dir_root_only);
        /* the name is the linker's record (l_name), which code in the process can rewrite: it
           places the object only when its file is the file mapped where the object was loaded
           (red team round 16: a client that named itself after a system library) */
        int judged = 0; /* a file the gate judged whole before it let it load (the JVM's end) */
        uint64_t changed = (uint64_t)file.st_ctim.tv_sec * 1000000000u + (uint64_t)file.st_ctim.tv_nsec;
        for (size_t j = 0; resolved && j + 2 < 3 * rules->judged_count; j += 3) {
            /* the same file, unchanged since: a file rewritten in place keeps its device and inode
               (red team round 20: a judged library unloaded, its file rewritten, loaded again) */
            judged |= rules->judged[j] == (uint64_t)file.st_dev && rules->judged[j + 1] == (uint64_t)file.st_ino
                      && rules->judged[j + 2] == changed;
        }
        if (probe_name_suspect(rules, name) || (rules->zero_fill > 0 && zero_fill >= rules->zero_fill)
            || !resolved || (!judged && (!probe_placed(real, jdk_home) || !file_root_only || !dir_root_only))
            || !probe_mapped_is(all, base, &file)) {
            *reasons |= PROBE_SCAN_OBJECT;
            continue;
        }
        /* The system's and the JDK's own objects, and what the gate judged: what their loaded images
           define, from the linker. */
        if (rules->symbols.count > 0) {
            memset(defined, 0, sizeof defined);
            if (probe_find_listed_symbols(base, name, rules->symbols.items, hashes, rules->symbols.count, defined)
                    != PROBE_OK
                || memchr(defined, 1, rules->symbols.count) != NULL) {
                *reasons |= PROBE_SCAN_OBJECT;
            }
        }
    }
    probe_free_places(&places);
    return status;
}

/*
 * The main program, which the linker lists without a name: detect/MappedObjectDetector judges its
 * file as code the linker does not answer for (its dynamic symbols, zero-fill, and marks unless it
 * is the JDK's own launcher); here its image in memory, through its dynamic section.
 */
static int probe_main_program_suspect(const struct probe_start_rules *rules, uint64_t header, const char *exe,
                                      const char *jdk_home)
{
    if (!probe_in_system_place(exe, jdk_home) || (rules->zero_fill > 0 && probe_zero_fill_at(header) >= rules->zero_fill)) {
        return 1;
    }
    unsigned char defined[PROBE_MAX_RULE_ITEMS];
    memset(defined, 0, sizeof defined);
    /* defined, or not readable: the Java side says which */
    return rules->symbols.count > 0 && (probe_find_main_symbols(rules->symbols.items, rules->symbols.count, defined) != PROBE_OK
                                       || memchr(defined, 1, rules->symbols.count) != NULL);
}

/* An object the linker lists: the range it was loaded into, and the file mapped at its load address. */
struct probe_known_span {
    uint64_t start;
    uint64_t end;
    unsigned long long file[2];
};

/* Whether a mapping lies inside the span and is of its file. */
static int probe_in_span(const struct probe_file_mapping *mapping, const struct probe_known_span *span)
{
    return mapping->device == span->file[0] && mapping->inode == span->file[1] && mapping->start >= span->start
           && mapping->end <= span->end && mapping->start < mapping->end;
}

/*
 * The mappings as detect/MappedObjectDetector judges them: a file named like a client or deleted
 * (or with a newline or backslash in its name, which the maps text escapes), code of a file the
 * linker does not list, or the main program's image when it is not the JDK's launcher in its
 * place. A file is what its device and inode say, never its name: the linker lists an object, and
 * the file mapped at its load address is that object's; another file mapped under the same name
 * is code the linker does not list (red team round 11: a client under a borrowed name).
 */
static int probe_scan_maps(const struct probe_start_rules *rules, const struct probe_buffer *objects,
                           const struct probe_file_mappings *all, const char *exe, const char *jdk_home,
                           uint64_t self_base, uint32_t *reasons)
{
    int status = PROBE_OK;
    /*
     * What the linker answers for: the range each object it lists was loaded into, and the file
     * mapped at its load address (the probe's own among them). Code is the linker's only inside
     * such a range and of that file: a client given a listed file's device and inode (rewritten in
     * place, mapped, made private, put back) lies outside the listed object's range (red team round 12).
     */
    struct probe_known_span known[PROBE_MAX_KNOWN + 1]; /* the listed objects', then the main program's */
    uint64_t bases[PROBE_MAX_KNOWN + 1];
    size_t listed = 0;
    size_t at = 0;
    uint64_t base;
    uint64_t zero_fill;
    uint32_t length;
    char name[PATH_MAX];
    int got;
    while (status == PROBE_OK && (got = probe_next_object(objects, &at, &base, &zero_fill, name, &length)) > 0) {
        if (memchr(name, '/', length) != NULL && listed < PROBE_MAX_KNOWN && probe_file_at(all, base, known[listed].file)) {
            bases[listed++] = base;
        }
    }
    uint64_t main_start = 0;
    int main_listed = probe_main_start(&main_start) == PROBE_OK && probe_file_at(all, main_start, known[listed].file);
    bases[listed] = main_start;
    /* every range read at once (two system calls), then those read kept */
    uint64_t starts[PROBE_MAX_KNOWN + 1];
    uint64_t ends[PROBE_MAX_KNOWN + 1];
    int spans[PROBE_MAX_KNOWN + 1];
    probe_object_spans(bases, listed + (main_listed ? 1 : 0), starts, ends, spans);
    int main_known = main_listed && spans[listed] == PROBE_OK;
    struct probe_known_span main_span = {0, 0, {0, 0}};
    if (main_known) {
        main_span = known[listed];
        main_span.start = starts[listed];
        main_span.end = ends[listed];
    }
    size_t known_count = 0;
    for (size_t i = 0; i < listed; i++) {
        if (spans[i] == PROBE_OK) {
            known[known_count] = known[i];
            known[known_count].start = starts[i];
            known[known_count].end = ends[i];
            known_count++;
        }
    }
    unsigned long long self_file[2] = {~0ULL, ~0ULL};
    int self_known = probe_file_at(all, self_base, self_file);
    const struct probe_file_mapping *records = (const struct probe_file_mapping *)(const void *)all->records.data;
    size_t count = status == PROBE_OK ? all->records.size / sizeof *records : 0;
    const char *last_path = NULL;
    int last_suspect = 0;
    for (size_t i = 0; i < count; i++) {
        const struct probe_file_mapping *mapping = &records[i];
        const char *path = (const char *)all->names.data + mapping->name_at;
        if (self_known && mapping->device == self_file[0] && mapping->inode == self_file[1]) {
            continue; /* the probe's own file (deleted once loaded) */
        }
        if (last_path == NULL || strcmp(path, last_path) != 0) { /* what depends on the name alone, once a run */
            size_t name_length = strlen(path);
            static const char deleted[] = " (deleted)";
            last_path = path;
            last_suspect = (name_length >= sizeof deleted - 1 && strcmp(path + name_length - (sizeof deleted - 1), deleted) == 0)
                           || probe_name_suspect(rules, path) || strpbrk(path, "\\\n") != NULL || name_length >= PATH_MAX;
        }
        int is_main = main_known && probe_in_span(mapping, &main_span);
        int is_known = is_main;
        for (size_t k = 0; k < known_count && !is_known; k++) {
            is_known = probe_in_span(mapping, &known[k]);
        }
        if (last_suspect || (mapping->executable && !is_known)
            || (is_main && mapping->offset == 0 && probe_main_program_suspect(rules, mapping->start, exe, jdk_home))) {
            *reasons |= PROBE_SCAN_MAPPING;
        }
    }
    if (!main_known && status == PROBE_OK) {
        *reasons |= PROBE_SCAN_MAPPING; /* the program's own file not found where the linker has it: looked closer at */
    }
    if (status == PROBE_OK && count == 0) {
        *reasons |= PROBE_SCAN_INCOMPLETE; /* "lists no mapped files": a maps file someone replaced */
    }
    return status;
}

/* Whether a file may be judged by the ladder as more than its name: it exists and is not a jar, text or absent. */
static int probe_agent_file_suspect(const struct probe_start_rules *rules, const char *file)
{
    if (!probe_is_ascii(file, strlen(file)) || probe_any_glob(&rules->names, probe_base_name(file))) {
        return 1;
    }
    struct stat status;
    if (stat(file, &status) != 0) {
        return errno != ENOENT && errno != ENOTDIR; /* absent: judged by its name alone */
    }
    if (!S_ISREG(status.st_mode)) {
        return 1; /* "not a regular file where a library is expected" */
    }
    int fd = -1;
    if (probe_open_regular(file, &fd) != PROBE_OK) {
        return 1;
    }
    unsigned char magic[4] = {0};
    ssize_t got = pread(fd, magic, sizeof magic, 0);
    close(fd);
    /* an ELF object is read for symbols and marks: the Java side does that */
    return got < 0 || (got == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F');
}

/* One option token as detect/AgentOption parses it: agents named by path or library are looked closer at. */
static int probe_option_suspect(const struct probe_start_rules *rules, const char *token)
{
    /* a rule's JVM argument (its glob, here without regard to case: a superset of the Java side's) */
    if (!probe_is_ascii(token, strlen(token)) || probe_any_glob(&rules->arguments, token)) {
        return 1;
    }
    /* -XX:VMOptionsFile=FILE and @FILE: more options, read from a file (also when named in an
       options variable); the Java side expands them */
    if (strncmp(token, "-agentpath:", 11) == 0 || strncmp(token, "-agentlib:", 10) == 0
        || strncmp(token, "-XX:VMOptionsFile=", 18) == 0 || (token[0] == '@' && token[1] != '\0' && token[1] != '@')) {
        return 1;
    }
    if (strncmp(token, "-javaagent:", 11) == 0) {
        char file[PATH_MAX];
        size_t length = strcspn(token + 11, "=");
        if (length == 0) {
            return 0; /* AgentOption: no file, no option */
        }
        if (length >= sizeof file) {
            return 1;
        }
        memcpy(file, token + 11, length);
        file[length] = '\0';
        return probe_agent_file_suspect(rules, file);
    }
    return 0;
}

/* One NAME=value entry of the environment, as detect/EnvironmentDetector reads it. */
static void probe_scan_variable(const struct probe_start_rules *rules, const char *variable, uint32_t *reasons)
{
    const char *equals = strchr(variable, '=');
    if (equals == NULL) {
        return;
    }
    size_t name_length = (size_t)(equals - variable);
    const char *value = equals + 1;
    if ((name_length == 10 && strncmp(variable, "LD_PRELOAD", 10) == 0)
        || (name_length == 8 && strncmp(variable, "LD_AUDIT", 8) == 0)) {
        if (value[strspn(value, ": \t\n\r\f\v")] != '\0') {
            *reasons |= PROBE_SCAN_ENVIRONMENT;
        }
        return;
    }
    for (size_t i = 0; i < rules->variables.count; i++) {
        if (strlen(rules->variables.items[i]) == name_length && strncmp(variable, rules->variables.items[i], name_length) == 0) {
            *reasons |= PROBE_SCAN_ENVIRONMENT;
        }
    }
    for (size_t i = 0; i < sizeof probe_option_variables / sizeof probe_option_variables[0]; i++) {
        if (strncmp(variable, probe_option_variables[i], strlen(probe_option_variables[i])) != 0) {
            continue;
        }
        /* quotes, and separators Java's tokenizer knows and this one does not (control and
           non-ASCII characters): the Java side reads those */
        int plain = strlen(value) < 65536;
        for (const unsigned char *c = (const unsigned char *)value; plain && *c != '\0'; c++) {
            plain = *c != '"' && *c != '\'' && *c < 0x80 && (*c >= 0x20 || strchr("\t\n\r\f\v", *c) != NULL);
        }
        char *copy = plain ? strdup(value) : NULL;
        if (copy == NULL) {
            *reasons |= PROBE_SCAN_ENVIRONMENT;
            continue;
        }
        char *save = NULL;
        for (char *token = strtok_r(copy, " \t\n\r\f\v", &save); token != NULL;
             token = strtok_r(NULL, " \t\n\r\f\v", &save)) {
            if (probe_option_suspect(rules, token)) {
                *reasons |= PROBE_SCAN_ENVIRONMENT;
            }
        }
        free(copy);
    }
}

/*
 * Calls each for every NUL-separated string of a /proc file (environ, cmdline), read whole within
 * limit; context is each's own.
 */
static int probe_scan_strings(const char *path, size_t limit, const struct probe_start_rules *rules, uint32_t *reasons,
                              void (*each)(const struct probe_start_rules *, const char *, uint32_t *, void *),
                              void *context)
{
    struct probe_buffer strings;
    probe_init_buffer(&strings, limit);
    int status = probe_read_small_file(path, &strings);
    if (status == PROBE_OK) {
        status = probe_append_buffer(&strings, "", 1);
    }
    size_t at = 0;
    while (status == PROBE_OK && at + 1 < strings.size) {
        const char *string = (const char *)strings.data + at;
        each(rules, string, reasons, context);
        at += strlen(string) + 1;
    }
    probe_free_buffer(&strings);
    return status;
}

/* Whether a NAME=value entry is one of the guard's own variables (the rules' "own" lines). */
static int probe_own_variable(const struct probe_start_rules *rules, const char *entry)
{
    const char *equals = strchr(entry, '=');
    if (equals == NULL) {
        return 0;
    }
    size_t name_length = (size_t)(equals - entry);
    for (size_t i = 0; i < rules->own.count; i++) {
        const char *own = rules->own.items[i];
        size_t length = strlen(own);
        if (length > 0 && own[length - 1] == '*' ? name_length >= length - 1 && strncmp(entry, own, length - 1) == 0
                                                 : name_length == length && strncmp(entry, own, length) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The next of the guard's own variables in the live environment from *live on, or NULL; *live is moved past it. */
static const char *probe_next_own(const struct probe_start_rules *rules, char ***live)
{
    while (*live != NULL && **live != NULL) {
        const char *entry = *(*live)++;
        if (probe_own_variable(rules, entry)) {
            return entry;
        }
    }
    return NULL;
}

/* Where the comparison of the guard's own variables stands: the live entry to compare next, and whether any differed. */
struct probe_own_walk {
    char **live;
    int differs;
};

/* One entry of /proc/self/environ: as any variable, and, when it is one of the guard's own, against the live environment. */
static void probe_scan_start_variable(const struct probe_start_rules *rules, const char *variable, uint32_t *reasons,
                                      void *context)
{
    struct probe_own_walk *walk = context;
    probe_scan_variable(rules, variable, reasons);
    if (probe_own_variable(rules, variable)) {
        const char *now = probe_next_own(rules, &walk->live);
        walk->differs |= now == NULL || strcmp(now, variable) != 0;
    }
}

/*
 * The environment: the live one, as detect/EnvironmentDetector reads it, and the one the process
 * was started with (/proc/self/environ), where a variable a library unset from its constructor
 * (LD_PRELOAD, to hide where it came from) is still written. The guard's own variables (options,
 * the tag) are taken from the latter; any difference in them between the two (set, changed or
 * unset inside the process) is a reason to look closer, where the full scan says what changed.
 */
static int probe_scan_environ(const struct probe_start_rules *rules, uint32_t *reasons)
{
    for (char **entry = environ; entry != NULL && *entry != NULL; entry++) {
        probe_scan_variable(rules, *entry, reasons);
    }
    struct probe_own_walk walk = {environ, 0};
    int status = probe_scan_strings("/proc/self/environ", (size_t)8 << 20, rules, reasons, probe_scan_start_variable, &walk);
    if (status == PROBE_OK && (walk.differs || probe_next_own(rules, &walk.live) != NULL)) {
        *reasons |= PROBE_SCAN_ENVIRONMENT;
    }
    return status;
}

/* One argument of the command line, as detect/JvmArgumentDetector reads it (an @argfile is the Java side's to expand). */
static void probe_scan_argument(const struct probe_start_rules *rules, const char *argument, uint32_t *reasons,
                                void *context)
{
    (void)context;
    if (probe_option_suspect(rules, argument)) {
        *reasons |= PROBE_SCAN_ARGUMENT;
    }
}

static int probe_header_matches(const struct probe_start_rules *rules, const unsigned char *head, size_t length)
{
    for (size_t i = 0; i < rules->headers.count; i++) {
        if (length >= rules->header_lengths[i] && memcmp(head, rules->headers.items[i], rules->header_lengths[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * The first bytes of the regular file open as descriptor name (a number) of the listing open as
 * fds: their count, -1 when there is nothing to read (not a regular file, closed meanwhile, or
 * unreadable to the evidence ladder too: EACCES, EPERM), or -2 when a regular file could not be
 * read now (a write lease held elsewhere answers EWOULDBLOCK, where the ladder's blocking open
 * waits the lease out and reads it: red team round 15), which is a reason to look closer.
 * Read through the descriptor itself where it allows (pread: its offset stays where the
 * application left it), so a regular file is read without being opened again; a descriptor
 * open for writing only (a capture file being written) or that will not be read so, through a
 * regular file's reopening. A descriptor closed and reused between the status and the read
 * gives a pipe, socket or terminal nothing to read (ESPIPE), and a reused regular file is the
 * process's own open file all the same.
 */
static ssize_t probe_descriptor_head(int fds, const char *name, unsigned char *head, size_t capacity)
{
    char *end = NULL;
    errno = 0;
    long number = strtol(name, &end, 10);
    struct stat status;
    if (errno != 0 || end == name || *end != '\0' || number < 0 || number > INT_MAX || fstat((int)number, &status) != 0
        || !S_ISREG(status.st_mode)) {
        return -1; /* only a regular file is ever read; the others are judged by name */
    }
    ssize_t got = pread((int)number, head, capacity, 0);
    if (got >= 0) {
        return got;
    }
    int fd = -1;
    if (fstatat(fds, name, &status, 0) != 0 || !S_ISREG(status.st_mode)) {
        return -1;
    }
    int opened = probe_open_regular_at(fds, name, &fd);
    if (opened != PROBE_OK) {
        return opened == PROBE_UNAVAILABLE && errno != EACCES && errno != EPERM ? -2 : -1;
    }
    got = pread(fd, head, capacity, 0);
    close(fd);
    return got < 0 ? -2 : got;
}

/*
 * Open descriptors, as detect/OpenFileDetector reads them: capture files by their first bytes or
 * name. Each is asked through the listing's own directory (readlinkat, fstatat, openat): a name
 * of one component, where /proc/self/fd/N was four, /proc/self a link among them.
 */
static int probe_scan_descriptors(const struct probe_start_rules *rules, uint32_t *reasons)
{
    DIR *fds = opendir("/proc/self/fd");
    if (fds == NULL) {
        return PROBE_UNAVAILABLE;
    }
    int own = dirfd(fds);
    int seen = 0;
    struct dirent *entry;
    while ((entry = readdir(fds)) != NULL) {
        if (entry->d_name[0] == '.' || atoi(entry->d_name) == own) {
            continue;
        }
        if (++seen > PROBE_MAX_FDS) {
            *reasons |= PROBE_SCAN_OPEN_FILE;
            break;
        }
        char target[PATH_MAX];
        ssize_t length = readlinkat(own, entry->d_name, target, sizeof target - 1);
        if (length < 0) {
            continue; /* closed meanwhile */
        }
        target[length] = '\0';
        if (target[0] != '/') {
            continue; /* pipes, sockets, anonymous inodes (the JDK's own files are looked at too: its
                         place is no proof that a file under it is not capture data) */
        }
        static const char deleted[] = " (deleted)";
        size_t size = (size_t)length;
        if (size >= sizeof deleted - 1 && strcmp(target + size - (sizeof deleted - 1), deleted) == 0) {
            target[size - (sizeof deleted - 1)] = '\0';
        }
        if (!probe_is_ascii(target, strlen(target))
            || probe_any_glob(&rules->captures, probe_base_name(target))) {
            *reasons |= PROBE_SCAN_OPEN_FILE;
            continue;
        }
        if (rules->headers.count == 0) {
            continue;
        }
        unsigned char head[PROBE_HEAD];
        ssize_t got = probe_descriptor_head(own, entry->d_name, head, sizeof head);
        if (got == -2 || (got > 0 && probe_header_matches(rules, head, (size_t)got))) {
            *reasons |= PROBE_SCAN_OPEN_FILE;
        }
    }
    closedir(fds);
    return PROBE_OK;
}

/* The working directory's names, for a rule's capture file name: 1 when one is there. */
static int probe_capture_named_here(const struct probe_start_rules *rules)
{
    DIR *here = opendir(".");
    if (here == NULL) {
        return 0; /* not listable: the look for capture data says so */
    }
    int found = 0;
    struct dirent *entry;
    while (!found && (entry = readdir(here)) != NULL) {
        found = entry->d_name[0] != '.' && probe_any_glob(&rules->captures, entry->d_name);
    }
    closedir(here);
    return found;
}

/* Whether a process traces this one through ptrace (TracerPid in /proc/self/status), as detect/TracerDetector reads it. */
static int probe_scan_tracer(uint32_t *reasons)
{
    struct probe_buffer status_file;
    probe_init_buffer(&status_file, 64 * 1024);
    int status = probe_read_small_file("/proc/self/status", &status_file);
    if (status == PROBE_OK) {
        status = probe_append_buffer(&status_file, "", 1);
    }
    if (status == PROBE_OK) {
        const char *tracer = strstr((const char *)status_file.data, "\nTracerPid:");
        if (tracer == NULL) {
            status = PROBE_UNAVAILABLE;
        } else if (strtol(tracer + 11, NULL, 10) != 0) {
            *reasons |= PROBE_SCAN_TRACER;
        }
    }
    probe_free_buffer(&status_file);
    return status;
}

int probe_scan_start(const struct probe_start_rules *rules, uint32_t *reasons)
{
    *reasons = 0;
    if (rules == NULL || rules->text == NULL) {
        return PROBE_BAD_INPUT;
    }
    struct probe_buffer objects;
    probe_init_buffer(&objects, (size_t)16 << 20);
    int listed = probe_list_objects(&objects);
    char jdk_home[PATH_MAX];
    probe_jdk_home(jdk_home, sizeof jdk_home);
    char exe[PATH_MAX];
    struct stat at_exe;
    if (!probe_real_path("/proc/self/exe", exe) || !probe_same_file("/proc/self/exe", exe, &at_exe)) {
        /* unknown, or its path here is another file (a program run from another mount namespace):
           its code mapping is then not the JDK's launcher in its place, and looked closer at */
        exe[0] = '\0';
    }
    struct probe_buffer self;
    probe_init_buffer(&self, PATH_MAX);
    uint64_t self_base = 0;
    int status = probe_find_self(&self, &self_base);
    probe_free_buffer(&self);
    if (status == PROBE_OK) {
        status = listed;
    }
    struct probe_file_mappings all;
    int malformed = 0;
    if (status == PROBE_OK) {
        status = probe_read_file_mappings(&all, &malformed);
        if (malformed) {
            *reasons |= PROBE_SCAN_MAPPING; /* a line not as proc(5) has it: the Java side says so */
        }
    } else {
        probe_init_buffer(&all.records, 0);
        probe_init_buffer(&all.names, 0);
        all.exact_devices = 1;
    }
    if (status == PROBE_OK) {
        status = probe_scan_objects(rules, &objects, &all, jdk_home, self_base, reasons);
    }
    if (status == PROBE_OK) {
        status = probe_scan_maps(rules, &objects, &all, exe, jdk_home, self_base, reasons);
    }
    probe_free_buffer(&all.records);
    probe_free_buffer(&all.names);
    probe_free_buffer(&objects);
    if (status == PROBE_OK) {
        status = probe_scan_environ(rules, reasons);
    }
    if (status == PROBE_OK) {
        status = probe_scan_strings("/proc/self/cmdline", PROBE_MAX_CMDLINE, rules, reasons, probe_scan_argument, NULL);
    }
    if (status == PROBE_OK) {
        status = probe_scan_descriptors(rules, reasons);
    }
    if (status == PROBE_OK && rules->at_end && rules->captures.count > 0 && probe_capture_named_here(rules)) {
        *reasons |= PROBE_SCAN_OPEN_FILE;
    }
    if (status == PROBE_OK && rules->tracers.count > 0) {
        status = probe_scan_tracer(reasons);
    }
    if (status == PROBE_OK && rules->controls.count > 0) {
        /* allocator controls (jemalloc's opt.prof) as detect/AllocatorControlDetector reads them */
        signed char values[PROBE_MAX_RULE_ITEMS];
        if (probe_read_controls(rules->controls.items, rules->controls.count, values) != PROBE_OK) {
            *reasons |= PROBE_SCAN_INCOMPLETE;
        } else if (memchr(values, 1, rules->controls.count) != NULL) {
            *reasons |= PROBE_SCAN_OBJECT;
        }
    }
    if (status != PROBE_OK) {
        *reasons |= PROBE_SCAN_INCOMPLETE;
    }
    return status;
}
