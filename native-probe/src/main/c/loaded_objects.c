#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>

#include "probe.h"

/*
 * What dl_iterate_phdr reported of one object, as pointers: its program headers live in the
 * object's own image and its name is the linker's l_name, which code in the process can point
 * anywhere, so neither is read in place (below).
 */
struct probe_raw_object {
    uint64_t base;
    uintptr_t phdr;
    size_t phnum;
    uintptr_t name;
};

struct probe_list_state {
    struct probe_raw_object *raw;
    size_t capacity;
    size_t count; /* past capacity: how many there were, for a second walk with room for them */
};

/* One object's pointers, kept without allocating or reading through them (the linker's lock is held). */
static int probe_add_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct probe_list_state *state = data;
    (void)size;
    if (state->count < state->capacity) {
        struct probe_raw_object raw = {(uint64_t)info->dlpi_addr, (uintptr_t)info->dlpi_phdr, info->dlpi_phnum,
                                       (uintptr_t)info->dlpi_name};
        state->raw[state->count] = raw;
    }
    state->count++;
    return 0;
}

size_t probe_copy_record(const struct dl_phdr_info *info, const char *name, ElfW(Phdr) *phdrs, size_t capacity,
                         int *named)
{
    *named = 0;
    size_t count = info->dlpi_phnum;
    size_t length = name == NULL ? 0 : strlen(name) + 1;
    char copy[PATH_MAX];
    if (count > capacity || info->dlpi_phdr == NULL || length > sizeof copy) {
        return 0;
    }
    uintptr_t addresses[2] = {(uintptr_t)info->dlpi_phdr, (uintptr_t)info->dlpi_name};
    unsigned char *into[2] = {(unsigned char *)phdrs, (unsigned char *)copy};
    size_t lengths[2] = {count * sizeof *phdrs, length};
    int read[2] = {0, 0};
    size_t regions = length > 0 && info->dlpi_name != NULL ? 2 : 1;
    probe_read_regions(addresses, into, lengths, regions, read);
    *named = regions == 2 && read[1] && memcmp(copy, name, length) == 0;
    return read[0] ? count : 0;
}

/* The largest zero-fill of count program headers. */
static uint64_t probe_zero_fill_of(const ElfW(Phdr) *phdrs, size_t count)
{
    uint64_t zero_fill = 0;
    for (size_t i = 0; i < count; i++) {
        if (phdrs[i].p_type == PT_LOAD && phdrs[i].p_memsz > phdrs[i].p_filesz && phdrs[i].p_memsz - phdrs[i].p_filesz > zero_fill) {
            zero_fill = phdrs[i].p_memsz - phdrs[i].p_filesz;
        }
    }
    return zero_fill;
}

/* Appends one record: base, zero-fill, name. */
static int probe_append_object(struct probe_buffer *out, uint64_t base, uint64_t zero_fill, const char *name)
{
    uint32_t length = (uint32_t)strnlen(name, 65536);
    int status = probe_append_buffer(out, &base, sizeof base);
    if (status == PROBE_OK) {
        status = probe_append_buffer(out, &zero_fill, sizeof zero_fill);
    }
    if (status == PROBE_OK) {
        status = probe_append_buffer(out, &length, sizeof length);
    }
    if (status == PROBE_OK) {
        status = probe_append_buffer(out, name, length);
    }
    return status;
}

/* Whether the records so far list an object at base. */
static int probe_listed(const struct probe_buffer *out, uint64_t base)
{
    size_t at = 0;
    while (at + 20 <= out->size) {
        uint64_t listed;
        uint32_t length;
        memcpy(&listed, out->data + at, sizeof listed);
        memcpy(&length, out->data + at + 16, sizeof length);
        if (listed == base) {
            return 1;
        }
        at += 20 + length;
    }
    return 0;
}

/*
 * Whether the header read at base is an ELF header of this machine's word size with a program
 * header table of 1 to 128 entries: what probe_zero_fill_at and probe_object_spans read.
 */
static int probe_phdr_header(uint64_t base, const ElfW(Ehdr) *header)
{
    return base != 0 && memcmp(header->e_ident, ELFMAG, SELFMAG) == 0 && header->e_phentsize == sizeof(ElfW(Phdr))
           && header->e_phnum > 0 && header->e_phnum <= 128;
}

/* The largest zero-fill of the ELF object whose header is mapped at base, read from memory; 0 if unreadable. */
uint64_t probe_zero_fill_at(uint64_t base)
{
    ElfW(Ehdr) header;
    if (probe_read_memory((uintptr_t)base, (unsigned char *)&header, sizeof header) != PROBE_OK
        || !probe_phdr_header(base, &header)) {
        return 0; /* (no table at all: no zero-fill either) */
    }
    uint64_t zero_fill = 0;
    ElfW(Phdr) phdrs[128];
    /* one read for all; a table that runs into an unreadable page is read entry by entry, up to it */
    int whole = probe_read_memory((uintptr_t)(base + header.e_phoff), (unsigned char *)phdrs,
                                  header.e_phnum * sizeof phdrs[0]) == PROBE_OK;
    for (int i = 0; i < header.e_phnum; i++) {
        ElfW(Phdr) phdr = phdrs[i];
        if (!whole && probe_read_memory((uintptr_t)(base + header.e_phoff + (uint64_t)i * sizeof phdr),
                                        (unsigned char *)&phdr, sizeof phdr) != PROBE_OK) {
            return zero_fill;
        }
        if (phdr.p_type == PT_LOAD && phdr.p_memsz > phdr.p_filesz && phdr.p_memsz - phdr.p_filesz > zero_fill) {
            zero_fill = phdr.p_memsz - phdr.p_filesz;
        }
    }
    return zero_fill;
}

/* The range of the loadable segments in the program header table phdrs of the object at base. */
static int probe_span_of(uint64_t base, const ElfW(Phdr) *phdrs, int count, uint64_t *start, uint64_t *end)
{
    uint64_t low = UINT64_MAX;
    uint64_t high = 0;
    uint64_t first_vaddr = UINT64_MAX;
    for (int i = 0; i < count; i++) {
        ElfW(Phdr) phdr = phdrs[i];
        if (phdr.p_type != PT_LOAD || phdr.p_memsz == 0) {
            continue;
        }
        if (first_vaddr == UINT64_MAX) {
            first_vaddr = phdr.p_vaddr & ~(uint64_t)4095; /* where base is: the header is in the first segment */
        }
        uint64_t from = phdr.p_vaddr & ~(uint64_t)4095;
        uint64_t to = phdr.p_vaddr + phdr.p_memsz;
        if (to < phdr.p_vaddr || to > UINT64_MAX - 4095) {
            return PROBE_UNAVAILABLE;
        }
        low = from < low ? from : low;
        high = to > high ? to : high;
    }
    if (first_vaddr == UINT64_MAX || low < first_vaddr || high - first_vaddr > ((uint64_t)1 << 40)) {
        return PROBE_UNAVAILABLE; /* no segment, or one below the header's: not an image the linker made */
    }
    *start = base + (low - first_vaddr);
    *end = base + (((high + 4095) & ~(uint64_t)4095) - first_vaddr);
    return PROBE_OK;
}

void probe_object_spans(const uint64_t *bases, size_t count, uint64_t *starts, uint64_t *ends, int *status)
{
    ElfW(Ehdr) headers[PROBE_MAX_REGIONS];
    uintptr_t addresses[PROBE_MAX_REGIONS];
    unsigned char *into[PROBE_MAX_REGIONS];
    size_t lengths[PROBE_MAX_REGIONS];
    int read[PROBE_MAX_REGIONS];
    for (size_t from = 0; from < count; from += PROBE_MAX_REGIONS) {
        size_t n = count - from < PROBE_MAX_REGIONS ? count - from : PROBE_MAX_REGIONS;
        for (size_t i = 0; i < n; i++) {
            starts[from + i] = 0;
            ends[from + i] = 0;
            status[from + i] = PROBE_NOT_LOADED;
            addresses[i] = (uintptr_t)bases[from + i];
            into[i] = (unsigned char *)&headers[i];
            lengths[i] = sizeof headers[i];
        }
        probe_read_regions(addresses, into, lengths, n, read); /* every header in one call */
        size_t entries = 0;
        for (size_t i = 0; i < n; i++) {
            if (read[i] && probe_phdr_header(bases[from + i], &headers[i])) {
                status[from + i] = PROBE_UNAVAILABLE; /* until its table is read (no memory: it stays so) */
                entries += headers[i].e_phnum;
            }
        }
        /* the tables side by side, as large as they are (a JVM's: a few KB, from the heap) */
        ElfW(Phdr) *tables = entries == 0 ? NULL : malloc(entries * sizeof *tables);
        if (tables == NULL) {
            continue;
        }
        size_t wanted = 0;
        for (size_t i = 0, at = 0; i < n; i++) {
            if (status[from + i] == PROBE_UNAVAILABLE) {
                addresses[wanted] = (uintptr_t)(bases[from + i] + headers[i].e_phoff);
                into[wanted] = (unsigned char *)&tables[at];
                lengths[wanted] = headers[i].e_phnum * sizeof *tables;
                at += headers[i].e_phnum;
                wanted++;
            }
        }
        probe_read_regions(addresses, into, lengths, wanted, read); /* every table in a second */
        for (size_t i = 0, k = 0; i < n; i++) {
            if (status[from + i] == PROBE_UNAVAILABLE) {
                if (read[k]) {
                    status[from + i] = probe_span_of(bases[from + i], (const ElfW(Phdr) *)(const void *)into[k],
                                                     headers[i].e_phnum, &starts[from + i], &ends[from + i]);
                }
                k++;
            }
        }
        free(tables);
    }
}

int probe_object_span(uint64_t base, uint64_t *start, uint64_t *end)
{
    int status;
    probe_object_spans(&base, 1, start, end, &status);
    return status;
}

#define PROBE_NAME_GUESS 256

/* The number of program headers of a raw record that are read: none past 128 (the limit of probe_zero_fill_at). */
static size_t probe_raw_phnum(const struct probe_raw_object *raw)
{
    return raw->phnum <= 128 && raw->phdr != 0 ? raw->phnum : 0;
}

/*
 * The records of count objects: their program headers and names copied through process_vm_readv,
 * a batch of them in two calls, never read in place (red team round 20: a library that made its
 * own header page unreadable crashed the JVM here, and one that made it a userfaultfd trap hung it
 * with the linker's lock held). Headers that cannot be read give a zero-fill of 0 (the object's
 * symbols, read through the same record, are then no answer, which is looked closer at); a name
 * that cannot be read, an empty one.
 */
static int probe_append_objects(struct probe_buffer *out, const struct probe_raw_object *raw, size_t count)
{
    int status = PROBE_OK;
    for (size_t from = 0; status == PROBE_OK && from < count; from += PROBE_MAX_REGIONS) {
        size_t n = count - from < PROBE_MAX_REGIONS ? count - from : PROBE_MAX_REGIONS;
        size_t entries = 0;
        for (size_t i = 0; i < n; i++) {
            entries += probe_raw_phnum(&raw[from + i]);
        }
        ElfW(Phdr) *tables = malloc((entries > 0 ? entries : 1) * sizeof *tables);
        char *names = malloc(n * PROBE_NAME_GUESS);
        if (tables == NULL || names == NULL) {
            free(tables);
            free(names);
            return PROBE_NO_MEMORY;
        }
        uintptr_t addresses[PROBE_MAX_REGIONS];
        unsigned char *into[PROBE_MAX_REGIONS];
        size_t lengths[PROBE_MAX_REGIONS];
        int tables_read[PROBE_MAX_REGIONS];
        int names_read[PROBE_MAX_REGIONS];
        for (size_t i = 0, at = 0; i < n; i++) {
            size_t phnum = probe_raw_phnum(&raw[from + i]);
            addresses[i] = raw[from + i].phdr;
            into[i] = (unsigned char *)&tables[at];
            lengths[i] = phnum * sizeof *tables;
            at += phnum;
        }
        probe_read_regions(addresses, into, lengths, n, tables_read); /* every table in one call */
        for (size_t i = 0; i < n; i++) {
            addresses[i] = raw[from + i].name;
            into[i] = (unsigned char *)&names[i * PROBE_NAME_GUESS];
            lengths[i] = raw[from + i].name != 0 ? PROBE_NAME_GUESS : 0;
        }
        probe_read_regions(addresses, into, lengths, n, names_read); /* the names' first bytes in a second */
        for (size_t i = 0, at = 0; i < n && status == PROBE_OK; i++) {
            size_t phnum = probe_raw_phnum(&raw[from + i]);
            uint64_t zero_fill = tables_read[i] ? probe_zero_fill_of(&tables[at], phnum) : 0;
            at += phnum;
            char whole[PATH_MAX];
            const char *name = "";
            const char *guess = &names[i * PROBE_NAME_GUESS];
            if (raw[from + i].name == 0) {
                name = "";
            } else if (names_read[i] && memchr(guess, '\0', PROBE_NAME_GUESS) != NULL) {
                name = guess;
            } else if (probe_read_string(raw[from + i].name, whole, sizeof whole) == PROBE_OK) {
                name = whole; /* longer than the guess, or near the end of what is readable */
            }
            status = probe_append_object(out, raw[from + i].base, zero_fill, name);
        }
        free(tables);
        free(names);
    }
    return status;
}

int probe_list_objects(struct probe_buffer *out)
{
    out->size = 0;
    /* room made before the iteration, never inside it; more room and again when it did not fit */
    struct probe_list_state state = {NULL, 0, 64};
    while (state.count > state.capacity) {
        free(state.raw);
        state.capacity = state.count + 16;
        state.raw = state.capacity <= 65536 ? malloc(state.capacity * sizeof *state.raw) : NULL;
        if (state.raw == NULL) {
            return state.capacity <= 65536 ? PROBE_NO_MEMORY : PROBE_TOO_LARGE;
        }
        state.count = 0;
        dl_iterate_phdr(probe_add_object, &state);
    }
    int status = probe_append_objects(out, state.raw, state.count);
    /*
     * The link maps the linker names for the objects the iteration reported, read in one call: the
     * walk of the chain below then reads on its own only a link map not among them (an object the
     * iteration did not report), where it took a call for every hop. Whatever it answers, a
     * copy is used only for the very address the chain leads to, and it was read here.
     */
    uintptr_t known[PROBE_MAX_REGIONS];
    struct link_map copies[PROBE_MAX_REGIONS];
    unsigned char *into[PROBE_MAX_REGIONS];
    size_t lengths[PROBE_MAX_REGIONS];
    int read[PROBE_MAX_REGIONS];
    size_t candidates = 0;
#if defined(__GLIBC_PREREQ) && __GLIBC_PREREQ(2, 35)
    /* _dl_find_object: no symbol search, where dladdr1 searched each object's symbols (60 us a look) */
    for (size_t i = 0; i < state.count && candidates < PROBE_MAX_REGIONS; i++) {
        struct dl_find_object found;
        if (state.raw[i].phdr != 0 && _dl_find_object((void *)state.raw[i].phdr, &found) == 0 && found.dlfo_link_map != NULL) {
            known[candidates] = (uintptr_t)found.dlfo_link_map;
            into[candidates] = (unsigned char *)&copies[candidates];
            lengths[candidates] = sizeof copies[candidates];
            candidates++;
        }
    }
#endif
    free(state.raw);
    if (candidates > 0) {
        probe_read_regions(known, into, lengths, candidates, read);
    }
    /*
     * The linker's own list too: dl_iterate_phdr is a function a preloaded library can interpose
     * to hide itself, while _r_debug's chain of link maps is the linker's data. Every object it
     * holds that the iteration did not report is added (its name read through process_vm_readv).
     */
    int hops = 0;
    for (struct link_map *map = _r_debug.r_map; map != NULL && status == PROBE_OK && hops < 65536;
         hops++) {
        struct link_map copy;
        int have = 0;
        for (size_t k = 0; k < candidates && !have; k++) {
            if (read[k] && known[k] == (uintptr_t)map) {
                copy = copies[k];
                have = 1;
            }
        }
        if (!have && probe_read_memory((uintptr_t)map, (unsigned char *)&copy, sizeof copy) != PROBE_OK) {
            break;
        }
        if (copy.l_name != NULL && !probe_listed(out, (uint64_t)copy.l_addr)) {
            char name[4096];
            size_t n = 0;
            while (n < sizeof name - 1 && probe_read_memory((uintptr_t)(copy.l_name + n), (unsigned char *)&name[n], 1) == PROBE_OK
                   && name[n] != '\0') {
                n++;
            }
            name[n] = '\0';
            if (n > 0) {
                status = probe_append_object(out, (uint64_t)copy.l_addr, probe_zero_fill_at((uint64_t)copy.l_addr), name);
            }
        }
        map = copy.l_next;
    }
    return status;
}

static int probe_read_counts(struct dl_phdr_info *info, size_t size, void *data)
{
    uint64_t *out = data;
    /* dlpi_adds and dlpi_subs exist since glibc 2.4; size says whether this one has them. */
    if (size < offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
        return -1;
    }
    *out = (uint64_t)info->dlpi_adds + (uint64_t)info->dlpi_subs;
    return 1;
}

int probe_count_changes(uint64_t *out)
{
    *out = 0;
    int result = dl_iterate_phdr(probe_read_counts, out);
    return result == 1 ? PROBE_OK : PROBE_UNAVAILABLE;
}
