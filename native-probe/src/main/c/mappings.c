#define _GNU_SOURCE
/*
 * This process's memory mappings, in address order, as the start-up scan judges them: read
 * through PROCMAP_QUERY (Linux 6.11+), which answers for file-backed mappings alone and formats
 * nothing, or else as /proc/self/maps text, parsed strictly. Both give the same mappings (the C
 * tests compare them); the text's escapes (a newline in a name is "\\012") are the one difference.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "probe.h"

#define PROBE_MAX_MAPS ((size_t)16 << 20)
#define PROBE_MAX_MAPPINGS 1000000

/* Hex digits at *at (1 to 16), as a number; 0 when there are none or too many. */
static int probe_parse_hex(const char **at, unsigned long long *value)
{
    const char *p = *at;
    unsigned long long v = 0;
    size_t n = 0;
    for (; n < 17; n++, p++) {
        int digit = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
        if (digit < 0) {
            break;
        }
        v = v * 16 + (unsigned long long)digit;
    }
    if (n == 0 || n > 16) {
        return 0;
    }
    *value = v;
    *at = p;
    return 1;
}

/* A field of 1 to capacity - 1 bytes up to the next space or the end, copied NUL-terminated; 0 when empty or longer. */
static int probe_parse_field(const char **at, char *into, size_t capacity)
{
    size_t n = strcspn(*at, " ");
    if (n == 0 || n >= capacity) {
        return 0;
    }
    memcpy(into, *at, n);
    into[n] = '\0';
    *at += n;
    return 1;
}

/*
 * One line as the kernel writes it: "start-end perms offset major:minor inode", then spaces and
 * the path, if any. Stricter than the line format needs (exactly four permission letters, a
 * decimal inode, single spaces between the fields): what is not exactly this is malformed, and the
 * Java side (detect/MapsParser) is asked. Hand-written rather than sscanf, which took a fifth of a
 * first look in a JVM (a few hundred lines each time).
 */
int probe_parse_maps_line(const char *line, struct probe_maps_line *fields)
{
    const char *at = line;
    if (!probe_parse_hex(&at, &fields->start) || *at++ != '-' || !probe_parse_hex(&at, &fields->end) || *at++ != ' '
        || !probe_parse_field(&at, fields->perms, sizeof fields->perms) || strlen(fields->perms) != 4 || *at++ != ' '
        || !probe_parse_hex(&at, &fields->offset) || *at++ != ' '
        || !probe_parse_field(&at, fields->device, sizeof fields->device) || *at++ != ' '
        || !probe_parse_field(&at, fields->inode, sizeof fields->inode)
        || strspn(fields->inode, "0123456789") != strlen(fields->inode)) {
        return 0;
    }
    while (*at == ' ') {
        at++;
    }
    fields->path = at;
    return 1;
}

/* The device field of a maps line ("fd:01", major and minor in hex) as one number; all ones when it is not that. */
static unsigned long long probe_maps_device(const char *field)
{
    const char *at = field;
    unsigned long long major = 0;
    unsigned long long minor = 0;
    if (!probe_parse_hex(&at, &major) || *at++ != ':' || !probe_parse_hex(&at, &minor) || *at != '\0') {
        return ~0ULL;
    }
    return major << 32 | minor;
}

/* /proc/self/maps as text: each well-formed line to each (anonymous ones with path ""), the others counted. */
static int probe_read_maps_text(probe_mapping_fn each, void *context, int *malformed)
{
    struct probe_buffer maps;
    probe_init_buffer(&maps, PROBE_MAX_MAPS);
    int status = probe_read_small_file("/proc/self/maps", &maps);
    if (status == PROBE_OK) {
        status = probe_append_buffer(&maps, "", 1);
    }
    char *line = status == PROBE_OK ? (char *)maps.data : NULL;
    while (line != NULL && *line != '\0') {
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = '\0';
        }
        struct probe_maps_line fields;
        if (probe_parse_maps_line(line, &fields)) {
            struct probe_mapping mapping = {fields.start, fields.end, fields.offset, fields.perms[2] == 'x',
                                            probe_maps_device(fields.device), strtoull(fields.inode, NULL, 10), fields.path};
            each(context, &mapping);
        } else if (*line != '\0') {
            *malformed += 1;
        }
        line = end == NULL ? NULL : end + 1;
    }
    probe_free_buffer(&maps);
    return status;
}

/* PROCMAP_QUERY's argument (uapi linux/fs.h, Linux 6.11), declared here for older headers. */
struct probe_procmap_query {
    uint64_t size;
    uint64_t query_flags;
    uint64_t query_addr;
    uint64_t vma_start;
    uint64_t vma_end;
    uint64_t vma_flags;
    uint64_t vma_page_size;
    uint64_t vma_offset;
    uint64_t inode;
    uint32_t dev_major;
    uint32_t dev_minor;
    uint32_t vma_name_size;
    uint32_t build_id_size;
    uint64_t vma_name_addr;
    uint64_t build_id_addr;
};
#define PROBE_PROCMAP_QUERY _IOWR('f', 17, struct probe_procmap_query)
#define PROBE_QUERY_EXECUTABLE 0x04
#define PROBE_QUERY_COVERING_OR_NEXT 0x10
#define PROBE_QUERY_FILE_BACKED 0x20

/*
 * The file-backed mappings through PROCMAP_QUERY, each with the name the maps text shows
 * (d_path, " (deleted)" included) unescaped. PROBE_UNAVAILABLE when the kernel (or what is
 * mounted at /proc/self/maps) does not answer it, or answers what it should not.
 */
static int probe_read_maps_query(probe_mapping_fn each, void *context)
{
    int fd = -1;
    if (probe_open_proc("/proc/self/maps", &fd) != PROBE_OK) {
        return PROBE_UNAVAILABLE;
    }
    char name[PATH_MAX + 64];
    uint64_t address = 0;
    int status = PROBE_OK;
    for (int count = 0;; count++) {
        struct probe_procmap_query query;
        memset(&query, 0, sizeof query);
        query.size = sizeof query;
        query.query_flags = PROBE_QUERY_COVERING_OR_NEXT | PROBE_QUERY_FILE_BACKED;
        query.query_addr = address;
        query.vma_name_addr = (uint64_t)(uintptr_t)name;
        query.vma_name_size = sizeof name;
        if (ioctl(fd, PROBE_PROCMAP_QUERY, &query) != 0) {
            /* ENOENT: no mapping at or after address, the end; anything else: not answered here */
            status = errno == ENOENT && count > 0 ? PROBE_OK : PROBE_UNAVAILABLE;
            break;
        }
        if (count == PROBE_MAX_MAPPINGS || query.vma_end <= address || query.vma_start < address
            || query.vma_name_size == 0 || query.vma_name_size > sizeof name || name[query.vma_name_size - 1] != '\0') {
            status = PROBE_UNAVAILABLE;
            break;
        }
        struct probe_mapping mapping = {query.vma_start, query.vma_end, query.vma_offset,
                                        (query.vma_flags & PROBE_QUERY_EXECUTABLE) != 0,
                                        (unsigned long long)query.dev_major << 32 | query.dev_minor, query.inode, name};
        each(context, &mapping);
        address = query.vma_end;
    }
    close(fd);
    return status;
}

int probe_read_mappings(int query, probe_mapping_fn each, void *context, int *malformed)
{
    *malformed = 0;
    return query ? probe_read_maps_query(each, context) : probe_read_maps_text(each, context, malformed);
}

/* The mapping that starts at start, as probe_read_mappings reports it. */
struct probe_mapping_at {
    uint64_t start;
    int found;
    unsigned long long device;
    unsigned long long inode;
};

static void probe_take_mapping_at(void *context, const struct probe_mapping *mapping)
{
    struct probe_mapping_at *at = context;
    if (mapping->start == at->start && !at->found) {
        at->found = 1;
        at->device = mapping->device;
        at->inode = mapping->inode;
    }
}

int probe_mapped_file(const char *path, unsigned long long *device, unsigned long long *inode)
{
    *device = 0;
    *inode = 0;
    int fd = -1;
    int status = probe_open_regular(path, &fd);
    if (status != PROBE_OK) {
        return status;
    }
    void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (page == MAP_FAILED) {
        return PROBE_UNAVAILABLE;
    }
    struct probe_mapping_at at = {(uint64_t)(uintptr_t)page, 0, 0, 0};
    int maps = -1;
    if (probe_open_proc("/proc/self/maps", &maps) == PROBE_OK) {
        struct probe_procmap_query query;
        memset(&query, 0, sizeof query);
        query.size = sizeof query;
        query.query_flags = PROBE_QUERY_FILE_BACKED; /* the mapping covering the address, no name */
        query.query_addr = at.start;
        if (ioctl(maps, PROBE_PROCMAP_QUERY, &query) == 0 && query.vma_start == at.start) {
            at.found = 1;
            at.device = (unsigned long long)query.dev_major << 32 | query.dev_minor;
            at.inode = query.inode;
        }
        close(maps);
    }
    int malformed = 0;
    if (!at.found) { /* no PROCMAP_QUERY here: the text */
        status = probe_read_mappings(0, probe_take_mapping_at, &at, &malformed);
    }
    munmap(page, 4096);
    if (!at.found) {
        return status == PROBE_OK ? PROBE_UNAVAILABLE : status;
    }
    *device = at.device;
    *inode = at.inode;
    return PROBE_OK;
}
