#define _GNU_SOURCE
#include <link.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>

#include "probe.h"

struct probe_list_state {
    struct probe_buffer *out;
    int status;
};

/* One record, appended without allocating (see probe_append_reserved): PROBE_TOO_LARGE when it does not fit. */
static int probe_add_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct probe_list_state *state = data;
    (void)size;
    uint64_t base = (uint64_t)info->dlpi_addr;
    uint64_t zero_fill = 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        if (phdr->p_type == PT_LOAD && phdr->p_memsz > phdr->p_filesz
            && phdr->p_memsz - phdr->p_filesz > zero_fill) {
            zero_fill = phdr->p_memsz - phdr->p_filesz;
        }
    }
    const char *name = info->dlpi_name == NULL ? "" : info->dlpi_name;
    uint32_t length = (uint32_t)strnlen(name, 65536);
    int status = probe_append_reserved(state->out, &base, sizeof base);
    if (status == PROBE_OK) {
        status = probe_append_reserved(state->out, &zero_fill, sizeof zero_fill);
    }
    if (status == PROBE_OK) {
        status = probe_append_reserved(state->out, &length, sizeof length);
    }
    if (status == PROBE_OK) {
        status = probe_append_reserved(state->out, name, length);
    }
    state->status = status;
    return status == PROBE_OK ? 0 : 1;
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

int probe_list_objects(struct probe_buffer *out)
{
    /* room made before the iteration, never inside it; more room and again when it did not fit */
    struct probe_list_state state = {out, PROBE_TOO_LARGE};
    for (size_t room = 16384; state.status == PROBE_TOO_LARGE && room <= out->limit * 2; room *= 4) {
        out->size = 0;
        if (probe_reserve_buffer(out, room) != PROBE_OK) {
            return PROBE_NO_MEMORY;
        }
        state.status = PROBE_OK;
        dl_iterate_phdr(probe_add_object, &state);
        if (state.status == PROBE_TOO_LARGE && out->capacity >= out->limit) {
            break;
        }
    }
    /*
     * The linker's own list too: dl_iterate_phdr is a function a preloaded library can interpose
     * to hide itself, while _r_debug's chain of link maps is the linker's data. Every object it
     * holds that the iteration did not report is added (its name read through process_vm_readv).
     */
    int hops = 0;
    for (struct link_map *map = _r_debug.r_map; map != NULL && state.status == PROBE_OK && hops < 65536;
         hops++) {
        struct link_map copy;
        if (probe_read_memory((uintptr_t)map, (unsigned char *)&copy, sizeof copy) != PROBE_OK) {
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
                state.status = probe_append_object(out, (uint64_t)copy.l_addr, probe_zero_fill_at((uint64_t)copy.l_addr), name);
            }
        }
        map = copy.l_next;
    }
    return state.status;
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
