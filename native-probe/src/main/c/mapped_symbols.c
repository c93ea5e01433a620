#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>

#include "probe.h"

#define PROBE_MAX_PHDRS 128
#define PROBE_MAX_DYNAMIC 1024
#define PROBE_MAX_CHAIN 65536
#define PROBE_MAX_NAME 256

/*
 * Where an object's image is read from: through process_vm_readv (an object the linker's default
 * namespace does not know: a bad page is an error, never a fault), or, for an object the dynamic
 * linker has loaded here, directly, each read first checked to lie inside one of its readable
 * PT_LOAD segments as the linker reports them (dl_iterate_phdr), so a hostile table cannot send
 * a read outside what is mapped.
 */
struct probe_image {
    int bounded;
    int count;
    uint64_t starts[PROBE_MAX_PHDRS];
    uint64_t ends[PROBE_MAX_PHDRS];
};

static int probe_image_read(const struct probe_image *image, uint64_t address, void *into, size_t length)
{
    if (!image->bounded) {
        return probe_read_memory((uintptr_t)address, into, length);
    }
    for (int i = 0; i < image->count; i++) {
        if (address >= image->starts[i] && address <= image->ends[i] && length <= image->ends[i] - address) {
            memcpy(into, (const void *)(uintptr_t)address, length);
            return PROBE_OK;
        }
    }
    return PROBE_UNAVAILABLE;
}

/* A pointer-sized value of the dynamic section: ld.so relocates some in place, some not. */
static uint64_t probe_absolute(uint64_t base, uint64_t value)
{
    return value < base ? base + value : value;
}

static int probe_read_name(const struct probe_image *image, uint64_t address, char *name, size_t capacity)
{
    /* read byte by byte up to the NUL: a string near the end of a mapping must not fault */
    for (size_t i = 0; i < capacity; i++) {
        if (probe_image_read(image, address + i, &name[i], 1) != PROBE_OK) {
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
static int probe_match(const struct probe_image *image, uint64_t base, uint64_t symtab, uint64_t strtab, uint32_t i,
                       const char *symbol, int functions, uint64_t *address)
{
    ElfW(Sym) sym;
    char name[PROBE_MAX_NAME];
    if (probe_image_read(image, symtab + (uint64_t)i * sizeof sym, &sym, sizeof sym) != PROBE_OK
        || sym.st_name == 0 || sym.st_shndx == SHN_UNDEF || (functions && ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
        || probe_read_name(image, strtab + sym.st_name, name, sizeof name) != PROBE_OK || strcmp(name, symbol) != 0) {
        return 0;
    }
    *address = base + sym.st_value;
    return 1;
}

static int probe_find_in_gnu_hash(const struct probe_image *image, uint64_t base, uint64_t table, uint64_t symtab,
                                  uint64_t strtab, const char *symbol, int functions, uint64_t *address)
{
    uint32_t header[4]; /* nbuckets, symoffset, bloom size, bloom shift */
    if (probe_image_read(image, table, header, sizeof header) != PROBE_OK || header[0] == 0) {
        return 0;
    }
    uint32_t hash = probe_gnu_hash(symbol);
    uint64_t buckets = table + sizeof header + (uint64_t)header[2] * sizeof(ElfW(Addr));
    uint64_t chains = buckets + (uint64_t)header[0] * 4;
    uint32_t index;
    if (probe_image_read(image, buckets + (hash % header[0]) * 4, &index, 4) != PROBE_OK
        || index < header[1]) {
        return 0;
    }
    for (int steps = 0; steps < PROBE_MAX_CHAIN; steps++, index++) {
        uint32_t chained;
        if (probe_image_read(image, chains + (uint64_t)(index - header[1]) * 4, &chained, 4) != PROBE_OK) {
            return 0;
        }
        if ((chained | 1) == (hash | 1) && probe_match(image, base, symtab, strtab, index, symbol, functions, address)) {
            return 1;
        }
        if (chained & 1) {
            return 0;
        }
    }
    return 0;
}

static int probe_find_in_sysv_hash(const struct probe_image *image, uint64_t base, uint64_t table, uint64_t symtab,
                                   uint64_t strtab, const char *symbol, int functions, uint64_t *address)
{
    uint32_t header[2]; /* nbucket, nchain: the number of symbols */
    if (probe_image_read(image, table, header, sizeof header) != PROBE_OK) {
        return 0;
    }
    for (uint32_t i = 1; i < header[1] && i < PROBE_MAX_CHAIN; i++) {
        if (probe_match(image, base, symtab, strtab, i, symbol, functions, address)) {
            return 1;
        }
    }
    return 0;
}

/* probe_find_symbol_at, reading through image. */
static int probe_find_in_image(const struct probe_image *image, uint64_t base, const char *symbol, int functions,
                               uint64_t *address)
{
    *address = 0;
    if (base == 0 || symbol == NULL || symbol[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    ElfW(Ehdr) header;
    if (probe_image_read(image, base, &header, sizeof header) != PROBE_OK) {
        return PROBE_NOT_LOADED;
    }
    if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64
        || header.e_phentsize != sizeof(ElfW(Phdr)) || header.e_phnum == 0 || header.e_phnum > PROBE_MAX_PHDRS) {
        return PROBE_NOT_LOADED;
    }
    ElfW(Phdr) phdrs[PROBE_MAX_PHDRS];
    if (probe_image_read(image, base + header.e_phoff, phdrs, header.e_phnum * sizeof(ElfW(Phdr))) != PROBE_OK) {
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
        if (probe_image_read(image, dynamic + (uint64_t)i * sizeof entry, &entry, sizeof entry) != PROBE_OK
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
                && ((gnu_hash != 0 && probe_find_in_gnu_hash(image, bias, gnu_hash, symtab, strtab, symbol, functions, address))
                    || (sysv_hash != 0 && probe_find_in_sysv_hash(image, bias, sysv_hash, symtab, strtab, symbol, functions,
                                                                  address)));
    if (!found && symtab != 0 && strtab != 0 && gnu_hash == 0 && sysv_hash == 0) {
        return PROBE_UNAVAILABLE; /* no table to look it up in: not an answer */
    }
    return found ? PROBE_OK : PROBE_NO_SYMBOL;
}

int probe_find_symbol_at(uint64_t base, const char *symbol, int functions, uint64_t *address)
{
    static const struct probe_image unbounded = {0, 0, {0}, {0}};
    return probe_find_in_image(&unbounded, base, symbol, functions, address);
}

struct probe_segment_query {
    uint64_t bias;
    uint64_t dynamic;
    struct probe_image *image;
};

static int probe_collect_segments(struct dl_phdr_info *info, size_t size, void *data)
{
    struct probe_segment_query *query = data;
    (void)size;
    if ((uint64_t)info->dlpi_addr != query->bias) {
        return 0;
    }
    int dynamic_here = 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        dynamic_here |= phdr->p_type == PT_DYNAMIC && query->bias + phdr->p_vaddr == query->dynamic;
    }
    if (!dynamic_here) {
        return 0; /* another object at the same bias (the main program and the vDSO can be at 0) */
    }
    struct probe_image *image = query->image;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum && image->count < PROBE_MAX_PHDRS; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        if (phdr->p_type == PT_LOAD && (phdr->p_flags & PF_R) != 0 && phdr->p_memsz > 0) {
            image->starts[image->count] = query->bias + phdr->p_vaddr;
            image->ends[image->count] = query->bias + phdr->p_vaddr + phdr->p_memsz;
            image->count++;
        }
    }
    return 1;
}

/*
 * The image of the object the linker has loaded under path, for its own dynamic symbol table to
 * be read in place within its segments. RTLD_NOLOAD: only an object already loaded under that
 * name; the file is not reopened, so a library deleted from disk since it was loaded is found.
 */
static int probe_open_own_image(const char *path, struct probe_image *image, uint64_t *base)
{
    memset(image, 0, sizeof *image);
    image->bounded = 1;
    if (path == NULL || path[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL) {
        return PROBE_NOT_LOADED;
    }
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != NULL && map->l_ld != NULL) {
        struct probe_segment_query query = {(uint64_t)map->l_addr, (uint64_t)(uintptr_t)map->l_ld, image};
        dl_iterate_phdr(probe_collect_segments, &query);
        *base = (uint64_t)map->l_addr; /* a shared object's ELF header is where its first PT_LOAD (vaddr 0) is */
    }
    dlclose(handle); /* NOLOAD took no reference beyond this one: the object stays as it was */
    return image->count > 0 ? PROBE_OK : PROBE_UNAVAILABLE;
}

/*
 * By name, whatever the version: a symbol bound only to a non-default version (name@VERSION) is
 * invisible to dlsym(name) yet defined all the same, and a client can be built that way.
 */
int probe_find_symbols(const char *path, const char *const *names, size_t count, unsigned char *defined)
{
    struct probe_image image;
    uint64_t base = 0;
    int status = probe_open_own_image(path, &image, &base);
    for (size_t i = 0; status == PROBE_OK && i < count; i++) {
        uint64_t address = 0;
        int found = names[i] == NULL ? PROBE_NO_SYMBOL : probe_find_in_image(&image, base, names[i], 0, &address);
        if (found != PROBE_OK && found != PROBE_NO_SYMBOL) {
            status = found;
        }
        defined[i] = (unsigned char)(found == PROBE_OK);
    }
    return status;
}

int probe_call_shutdown(const char *path, const char *symbol)
{
    if (symbol == NULL || symbol[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    struct probe_image image;
    uint64_t base = 0;
    uint64_t address = 0;
    int status = probe_open_own_image(path, &image, &base);
    if (status == PROBE_OK) {
        status = probe_find_in_image(&image, base, symbol, 1, &address);
    }
    if (status != PROBE_OK) {
        return status == PROBE_UNAVAILABLE ? PROBE_NO_SYMBOL : status;
    }
    void (*shutdown)(void);
    void *function = (void *)(uintptr_t)address;
    memcpy(&shutdown, &function, sizeof shutdown); /* object pointer to function pointer */
    shutdown();
    return PROBE_OK;
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
