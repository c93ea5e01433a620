#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <string.h>

#include "probe.h"

#define PROBE_MAX_PHDRS 128
#define PROBE_MAX_DYNAMIC 1024
#define PROBE_MAX_CHAIN 65536
#define PROBE_MAX_NAME 256

/* A pointer-sized value of the dynamic section: ld.so relocates some in place, some not. */
static uint64_t probe_absolute(uint64_t base, uint64_t value)
{
    return value < base ? base + value : value;
}

static int probe_read_name(uint64_t address, char *name, size_t capacity)
{
    /* read byte by byte up to the NUL: a string near the end of a mapping must not fault */
    for (size_t i = 0; i < capacity; i++) {
        if (probe_read_memory((uintptr_t)(address + i), (unsigned char *)&name[i], 1) != PROBE_OK) {
            return PROBE_UNAVAILABLE;
        }
        if (name[i] == '\0') {
            return PROBE_OK;
        }
    }
    return PROBE_TOO_LARGE;
}

static uint32_t probe_gnu_hash(const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++) {
        h = h * 33 + *c;
    }
    return h;
}

/* Whether symbol index i is symbol, defined here (as a function, when functions is set); its address in *address. */
static int probe_match(uint64_t base, uint64_t symtab, uint64_t strtab, uint32_t i, const char *symbol,
                       int functions, uint64_t *address)
{
    ElfW(Sym) sym;
    char name[PROBE_MAX_NAME];
    if (probe_read_memory((uintptr_t)(symtab + (uint64_t)i * sizeof sym), (unsigned char *)&sym, sizeof sym) != PROBE_OK
        || sym.st_name == 0 || sym.st_shndx == SHN_UNDEF || (functions && ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
        || probe_read_name(strtab + sym.st_name, name, sizeof name) != PROBE_OK || strcmp(name, symbol) != 0) {
        return 0;
    }
    *address = base + sym.st_value;
    return 1;
}

static int probe_find_in_gnu_hash(uint64_t base, uint64_t table, uint64_t symtab, uint64_t strtab, const char *symbol,
                                  int functions, uint64_t *address)
{
    uint32_t header[4]; /* nbuckets, symoffset, bloom size, bloom shift */
    if (probe_read_memory((uintptr_t)table, (unsigned char *)header, sizeof header) != PROBE_OK || header[0] == 0) {
        return 0;
    }
    uint32_t hash = probe_gnu_hash(symbol);
    uint64_t buckets = table + sizeof header + (uint64_t)header[2] * sizeof(ElfW(Addr));
    uint64_t chains = buckets + (uint64_t)header[0] * 4;
    uint32_t index;
    if (probe_read_memory((uintptr_t)(buckets + (hash % header[0]) * 4), (unsigned char *)&index, 4) != PROBE_OK
        || index < header[1]) {
        return 0;
    }
    for (int steps = 0; steps < PROBE_MAX_CHAIN; steps++, index++) {
        uint32_t chained;
        if (probe_read_memory((uintptr_t)(chains + (uint64_t)(index - header[1]) * 4), (unsigned char *)&chained, 4) != PROBE_OK) {
            return 0;
        }
        if ((chained | 1) == (hash | 1) && probe_match(base, symtab, strtab, index, symbol, functions, address)) {
            return 1;
        }
        if (chained & 1) {
            return 0;
        }
    }
    return 0;
}

static int probe_find_in_sysv_hash(uint64_t base, uint64_t table, uint64_t symtab, uint64_t strtab, const char *symbol,
                                   int functions, uint64_t *address)
{
    uint32_t header[2]; /* nbucket, nchain: the number of symbols */
    if (probe_read_memory((uintptr_t)table, (unsigned char *)header, sizeof header) != PROBE_OK) {
        return 0;
    }
    for (uint32_t i = 1; i < header[1] && i < PROBE_MAX_CHAIN; i++) {
        if (probe_match(base, symtab, strtab, i, symbol, functions, address)) {
            return 1;
        }
    }
    return 0;
}

int probe_find_symbol_at(uint64_t base, const char *symbol, int functions, uint64_t *address)
{
    *address = 0;
    if (base == 0 || symbol == NULL || symbol[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    ElfW(Ehdr) header;
    if (probe_read_memory((uintptr_t)base, (unsigned char *)&header, sizeof header) != PROBE_OK) {
        return PROBE_NOT_LOADED;
    }
    if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64
        || header.e_phentsize != sizeof(ElfW(Phdr)) || header.e_phnum == 0 || header.e_phnum > PROBE_MAX_PHDRS) {
        return PROBE_NOT_LOADED;
    }
    ElfW(Phdr) phdrs[PROBE_MAX_PHDRS];
    if (probe_read_memory((uintptr_t)(base + header.e_phoff), (unsigned char *)phdrs,
                          header.e_phnum * sizeof(ElfW(Phdr))) != PROBE_OK) {
        return PROBE_UNAVAILABLE;
    }
    /* the load bias: where the first PT_LOAD's p_vaddr (0 for a shared object or PIE) is mapped */
    uint64_t bias = base;
    for (int i = 0; i < header.e_phnum; i++) {
        if (phdrs[i].p_type == PT_LOAD) {
            bias = base - (phdrs[i].p_vaddr - phdrs[i].p_offset);
            break;
        }
    }
    uint64_t dynamic = 0;
    for (int i = 0; i < header.e_phnum; i++) {
        if (phdrs[i].p_type == PT_DYNAMIC) {
            dynamic = bias + phdrs[i].p_vaddr;
        }
    }
    if (dynamic == 0) {
        return PROBE_NO_SYMBOL;
    }
    uint64_t symtab = 0, strtab = 0, gnu_hash = 0, sysv_hash = 0;
    for (int i = 0; i < PROBE_MAX_DYNAMIC; i++) {
        ElfW(Dyn) entry;
        if (probe_read_memory((uintptr_t)(dynamic + (uint64_t)i * sizeof entry), (unsigned char *)&entry, sizeof entry) != PROBE_OK
            || entry.d_tag == DT_NULL) {
            break;
        }
        uint64_t value = probe_absolute(bias, entry.d_un.d_ptr);
        switch (entry.d_tag) {
        case DT_SYMTAB: symtab = value; break;
        case DT_STRTAB: strtab = value; break;
        case DT_GNU_HASH: gnu_hash = value; break;
        case DT_HASH: sysv_hash = value; break;
        default: break;
        }
    }
    int found = symtab != 0 && strtab != 0
                && ((gnu_hash != 0 && probe_find_in_gnu_hash(bias, gnu_hash, symtab, strtab, symbol, functions, address))
                    || (sysv_hash != 0 && probe_find_in_sysv_hash(bias, sysv_hash, symtab, strtab, symbol, functions, address)));
    return found ? PROBE_OK : PROBE_NO_SYMBOL;
}

int probe_call_shutdown_at(uint64_t base, const char *symbol)
{
    uint64_t address = 0;
    int status = probe_find_symbol_at(base, symbol, 1, &address);
    if (status != PROBE_OK) {
        return status;
    }
    void (*shutdown)(void);
    void *function = (void *)(uintptr_t)address;
    memcpy(&shutdown, &function, sizeof shutdown); /* object pointer to function pointer */
    shutdown();
    return PROBE_OK;
}
