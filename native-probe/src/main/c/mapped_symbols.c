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

#define PROBE_LINE 4096u
#define PROBE_LINES 8

/*
 * Where an object's image is read from: through process_vm_readv, never by dereferencing its
 * memory. For an object the linker's default namespace does not know, each read is one call; for
 * one the dynamic linker has loaded here, reads must also lie inside one of its readable PT_LOAD
 * segments as the linker reports them (dl_iterate_phdr), so a hostile table cannot send a read
 * outside what it claims, and they go through a few page-sized lines copied whole: a lookup reads
 * the same hash table four bytes at a time. A page that is not mapped, or not readable, is an
 * error, never a fault: a segment claimed over such pages (red team round 16) and a page made
 * unreadable while it is read (round 17) alike. (A check of the kernel's mappings before a plain
 * copy was a race, and once the copy itself checks, a second asking of the kernel for nothing.)
 */
struct probe_image {
    int bounded;
    int count;
    uint64_t starts[PROBE_MAX_PHDRS];
    uint64_t ends[PROBE_MAX_PHDRS];
    int last; /* the segment the last read was in: a lookup reads one table many times */
    /*
     * The dynamic section as the linker has it (its PT_DYNAMIC, l_ld), or 0: found through the
     * program headers at the ELF header's e_phoff in memory. An object can make those lie (e_phoff
     * aimed into a writable segment holding a table without PT_DYNAMIC, while the file there holds
     * the real one the linker read: red team round 15); where the linker lists the object, its own
     * record is what its symbols are bound through.
     */
    uint64_t dynamic;
    /*
     * The lines: [low, high) of the page at page[i] copied into data[i]; high == 0: empty. The one
     * used least recently is replaced (used[i], from clock): a lookup reads its table's header each
     * time, and in libjvm a name the Bloom filter passes touches four more pages.
     */
    uint64_t clock;
    uint64_t used[PROBE_LINES];
    uint64_t page[PROBE_LINES];
    uint64_t low[PROBE_LINES];
    uint64_t high[PROBE_LINES];
    unsigned char data[PROBE_LINES][PROBE_LINE]; /* last: not cleared, only the fields above */
};

/* An image with no segments and no lines yet (the data of the lines is left as it is). */
static void probe_image_init(struct probe_image *image, int bounded)
{
    memset(image, 0, offsetof(struct probe_image, data));
    image->bounded = bounded;
    image->last = -1;
}

/* The line to replace: an empty one, else the one used least recently. */
static int probe_image_victim(struct probe_image *image)
{
    int victim = 0;
    for (int i = 0; i < PROBE_LINES; i++) {
        if (image->high[i] == 0) {
            return i;
        }
        victim = image->used[i] < image->used[victim] ? i : victim;
    }
    return victim;
}

/*
 * The line holding address of segment, copied now when no line holds it; -1 when that page of the
 * segment cannot be read.
 */
static int probe_image_line(struct probe_image *image, int segment, uint64_t address)
{
    for (int i = 0; i < PROBE_LINES; i++) {
        if (image->high[i] != 0 && address >= image->low[i] && address < image->high[i]) {
            image->used[i] = ++image->clock;
            return i;
        }
    }
    uint64_t page = address & ~(uint64_t)(PROBE_LINE - 1);
    uint64_t low = page > image->starts[segment] ? page : image->starts[segment];
    uint64_t high = page + PROBE_LINE < image->ends[segment] ? page + PROBE_LINE : image->ends[segment];
    int line = probe_image_victim(image);
    image->used[line] = ++image->clock;
    image->high[line] = 0;
    if (high <= low || probe_read_memory((uintptr_t)low, image->data[line] + (low - page), (size_t)(high - low)) != PROBE_OK) {
        return -1;
    }
    image->page[line] = page;
    image->low[line] = low;
    image->high[line] = high;
    return line;
}

/*
 * The lines holding each of count addresses (at most PROBE_LINES), copied in one process_vm_readv
 * where no line holds them yet: a lookup's first reads (the dynamic section, then the hash table,
 * which is most often in the image's first page) otherwise took a call each. An address outside
 * the segments, or a line that cannot be read, is left to the reads themselves.
 */
static void probe_image_prefetch(struct probe_image *image, const uint64_t *addresses, int count)
{
    uintptr_t at[PROBE_LINES];
    unsigned char *into[PROBE_LINES];
    size_t lengths[PROBE_LINES];
    int lines[PROBE_LINES];
    int read[PROBE_LINES];
    int wanted = 0;
    for (int k = 0; k < count && wanted < PROBE_LINES; k++) {
        uint64_t address = addresses[k];
        int segment = -1;
        for (int i = 0; i < image->count && segment < 0; i++) {
            segment = address >= image->starts[i] && address < image->ends[i] ? i : -1;
        }
        int held = 0;
        for (int i = 0; i < PROBE_LINES && !held; i++) {
            held = image->high[i] != 0 && address >= image->low[i] && address < image->high[i];
        }
        for (int i = 0; i < wanted && !held; i++) {
            held = address >= at[i] && address < at[i] + lengths[i];
        }
        if (segment < 0 || held) {
            continue;
        }
        uint64_t page = address & ~(uint64_t)(PROBE_LINE - 1);
        uint64_t low = page > image->starts[segment] ? page : image->starts[segment];
        uint64_t high = page + PROBE_LINE < image->ends[segment] ? page + PROBE_LINE : image->ends[segment];
        int line = probe_image_victim(image);
        image->used[line] = ++image->clock;
        image->page[line] = page;
        image->low[line] = low;
        image->high[line] = low; /* taken, holding nothing until read (not taken again meanwhile) */
        at[wanted] = (uintptr_t)low;
        into[wanted] = image->data[line] + (low - page);
        lengths[wanted] = (size_t)(high - low);
        lines[wanted] = line;
        wanted++;
    }
    if (wanted == 0) {
        return;
    }
    probe_read_regions(at, into, lengths, (size_t)wanted, read);
    for (int i = 0; i < wanted; i++) {
        image->high[lines[i]] = read[i] ? at[i] + lengths[i] : 0;
    }
}

/* length bytes at address, all inside segment, through the lines. */
static int probe_image_copy(struct probe_image *image, int segment, uint64_t address, void *into, size_t length)
{
    unsigned char *to = into;
    while (length > 0) {
        int line = probe_image_line(image, segment, address);
        if (line < 0) {
            return PROBE_UNAVAILABLE;
        }
        size_t room = (size_t)(image->high[line] - address);
        size_t take = length < room ? length : room;
        memcpy(to, image->data[line] + (address - image->page[line]), take);
        to += take;
        address += take;
        length -= take;
    }
    return PROBE_OK;
}

/*
 * length bytes at address of the image into into. Inline for its one test: a symbol lookup reads
 * a hash chain four bytes at a time.
 */
static inline int probe_image_read(struct probe_image *image, uint64_t address, void *into, size_t length)
{
    if (!image->bounded) {
        return probe_read_memory((uintptr_t)address, into, length);
    }
    int segment = image->last;
    if (segment < 0 || segment >= image->count || address < image->starts[segment] || address > image->ends[segment]
        || length > image->ends[segment] - address) {
        segment = -1;
        for (int i = 0; i < image->count && segment < 0; i++) {
            if (address >= image->starts[i] && address <= image->ends[i] && length <= image->ends[i] - address) {
                segment = i;
            }
        }
        if (segment < 0) {
            return PROBE_UNAVAILABLE;
        }
        image->last = segment;
    }
    return probe_image_copy(image, segment, address, into, length);
}

uint64_t probe_absolute(uint64_t base, uint64_t value)
{
    return value < base ? base + value : value;
}

static int probe_read_name(struct probe_image *image, uint64_t address, char *name, size_t capacity)
{
    if (!image->bounded) {
        return probe_read_string(address, name, capacity);
    }
    /* up to the NUL, a line at a time: a string near a segment's end must not be read past it */
    size_t done = 0;
    while (done < capacity) {
        uint64_t at = address + done;
        int segment = -1;
        for (int i = 0; i < image->count && segment < 0; i++) {
            segment = at >= image->starts[i] && at < image->ends[i] ? i : -1;
        }
        int line = segment < 0 ? -1 : probe_image_line(image, segment, at);
        if (line < 0) {
            return PROBE_UNAVAILABLE;
        }
        size_t room = (size_t)(image->high[line] - at) < capacity - done ? (size_t)(image->high[line] - at) : capacity - done;
        const unsigned char *from = image->data[line] + (at - image->page[line]);
        const unsigned char *nul = memchr(from, '\0', room);
        size_t take = nul == NULL ? room : (size_t)(nul - from) + 1;
        memcpy(name + done, from, take);
        if (nul != NULL) {
            return PROBE_OK;
        }
        done += take;
    }
    return PROBE_TOO_LARGE;
}

uint32_t probe_symbol_hash(const char *name)
{
    uint32_t h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++) {
        h = h * 33 + *c;
    }
    return h;
}

/* Whether symbol index i is symbol, defined here (as a function, when functions is set); its address in *address. */
static int probe_match(struct probe_image *image, uint64_t base, uint64_t symtab, uint64_t strtab, uint32_t i,
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

static int probe_find_in_gnu_hash(struct probe_image *image, uint64_t base, uint64_t table, uint64_t symtab,
                                  uint64_t strtab, const char *symbol, uint32_t hash, int functions, uint64_t *address)
{
    uint32_t header[4]; /* nbuckets, symoffset, bloom size, bloom shift */
    if (probe_image_read(image, table, header, sizeof header) != PROBE_OK) {
        return -1;
    }
    if (header[0] == 0) {
        return 0;
    }
    /*
     * The Bloom filter first, as ld.so asks it (dl-lookup.c): a name whose two bits are not both set
     * is one ld.so never looks up in this object, and most of the names asked are in no object. Only
     * for a filter of the form ld.so assumes (a power of two of words, a shift below 64); any other,
     * the chain is walked whatever the filter says, which finds all ld.so could and more.
     */
    if (header[2] != 0 && (header[2] & (header[2] - 1)) == 0 && header[3] < 64) {
        uint64_t word;
        if (probe_image_read(image, table + sizeof header + (uint64_t)((hash / 64) & (header[2] - 1)) * sizeof word, &word,
                             sizeof word) != PROBE_OK) {
            return -1;
        }
        if (((word >> (hash & 63)) & (word >> (((uint64_t)hash >> header[3]) & 63)) & 1) == 0) {
            return 0;
        }
    }
    uint64_t buckets = table + sizeof header + (uint64_t)header[2] * sizeof(ElfW(Addr));
    uint64_t chains = buckets + (uint64_t)header[0] * 4;
    uint32_t index;
    if (probe_image_read(image, buckets + (hash % header[0]) * 4, &index, 4) != PROBE_OK) {
        return -1;
    }
    if (index < header[1]) {
        return 0;
    }
    for (int steps = 0; steps < PROBE_MAX_CHAIN; steps++, index++) {
        uint32_t chained;
        if (probe_image_read(image, chains + (uint64_t)(index - header[1]) * 4, &chained, 4) != PROBE_OK) {
            return -1;
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

/* The System V ELF hash (gABI, "Hash Table"). */
static uint32_t probe_sysv_hash(const char *name)
{
    uint32_t h = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++) {
        h = (h << 4) + *c;
        uint32_t g = h & 0xf0000000u;
        if (g != 0) {
            h ^= g >> 24;
        }
        h &= ~g;
    }
    return h;
}

/* DT_HASH: bucket[hash % nbucket], then chain[] until index 0, as ld.so walks it. */
static int probe_find_in_sysv_hash(struct probe_image *image, uint64_t base, uint64_t table, uint64_t symtab,
                                   uint64_t strtab, const char *symbol, int functions, uint64_t *address)
{
    uint32_t header[2]; /* nbucket, nchain */
    if (probe_image_read(image, table, header, sizeof header) != PROBE_OK) {
        return -1;
    }
    if (header[0] == 0) {
        return 0;
    }
    uint32_t index;
    if (probe_image_read(image, table + 8 + (uint64_t)(probe_sysv_hash(symbol) % header[0]) * 4, &index, 4) != PROBE_OK) {
        return -1;
    }
    for (int steps = 0; index != 0 && index < header[1] && steps < PROBE_MAX_CHAIN; steps++) {
        if (probe_match(image, base, symtab, strtab, index, symbol, functions, address)) {
            return 1;
        }
        if (probe_image_read(image, table + 8 + (uint64_t)header[0] * 4 + (uint64_t)index * 4, &index, 4) != PROBE_OK) {
            return -1;
        }
    }
    return 0;
}

/* Where an object's dynamic symbol tables are, read once from its dynamic section. */
struct probe_tables {
    uint64_t bias;
    uint64_t symtab;
    uint64_t strtab;
    uint64_t gnu_hash;
    uint64_t sysv_hash;
};

static int probe_read_dynamic(struct probe_image *image, uint64_t dynamic, struct probe_tables *tables);

/*
 * The tables of the ELF object whose header is mapped at base, through its program headers and
 * PT_DYNAMIC as ld.so reads them: PROBE_OK, PROBE_NOT_LOADED (no ELF header there), PROBE_NO_SYMBOL
 * (no dynamic section: it defines nothing), PROBE_UNAVAILABLE (no table to look a name up in).
 */
static int probe_read_tables(struct probe_image *image, uint64_t base, struct probe_tables *tables)
{
    memset(tables, 0, sizeof *tables);
    if (image->dynamic != 0) {
        tables->bias = base; /* base is then the linker's load bias (l_addr) */
        return probe_read_dynamic(image, image->dynamic, tables);
    }
    ElfW(Ehdr) header;
    if (base == 0 || probe_image_read(image, base, &header, sizeof header) != PROBE_OK) {
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
    tables->bias = base;
    for (int i = 0; i < header.e_phnum; i++) {
        if (phdrs[i].p_type == PT_LOAD) {
            tables->bias = base - (phdrs[i].p_vaddr - phdrs[i].p_offset);
            break;
        }
    }
    uint64_t dynamic = 0;
    for (int i = 0; i < header.e_phnum; i++) {
        if (phdrs[i].p_type == PT_DYNAMIC) {
            dynamic = tables->bias + phdrs[i].p_vaddr;
        }
    }
    if (dynamic == 0) {
        return PROBE_NO_SYMBOL;
    }
    return probe_read_dynamic(image, dynamic, tables);
}

/* The tables a dynamic section at dynamic names, relative to tables->bias; as probe_read_tables answers. */
static int probe_read_dynamic(struct probe_image *image, uint64_t dynamic, struct probe_tables *tables)
{
    for (int i = 0; i < PROBE_MAX_DYNAMIC; i++) {
        ElfW(Dyn) entry;
        if (probe_image_read(image, dynamic + (uint64_t)i * sizeof entry, &entry, sizeof entry) != PROBE_OK
            || entry.d_tag == DT_NULL) {
            break;
        }
        uint64_t value = probe_absolute(tables->bias, entry.d_un.d_ptr);
        switch (entry.d_tag) {
        case DT_SYMTAB: tables->symtab = value; break;
        case DT_STRTAB: tables->strtab = value; break;
        case DT_GNU_HASH: tables->gnu_hash = value; break;
        case DT_HASH: tables->sysv_hash = value; break;
        default: break;
        }
    }
    if (tables->symtab == 0 || tables->strtab == 0 || (tables->gnu_hash == 0 && tables->sysv_hash == 0)) {
        return PROBE_UNAVAILABLE; /* no table to look a name up in: not an answer */
    }
    return PROBE_OK;
}

/* One name in tables read by probe_read_tables: PROBE_OK with its address, or PROBE_NO_SYMBOL. */
static int probe_lookup(struct probe_image *image, const struct probe_tables *t, const char *symbol, uint32_t hash,
                        int functions, uint64_t *address)
{
    *address = 0;
    if (symbol == NULL || symbol[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    /* as ld.so: the GNU hash table when there is one, else the System V one */
    int found = t->gnu_hash != 0
                ? probe_find_in_gnu_hash(image, t->bias, t->gnu_hash, t->symtab, t->strtab, symbol, hash, functions, address)
                : probe_find_in_sysv_hash(image, t->bias, t->sysv_hash, t->symtab, t->strtab, symbol, functions, address);
    /* a table that cannot be read is no answer, never "not defined" */
    return found > 0 ? PROBE_OK : found < 0 ? PROBE_UNAVAILABLE : PROBE_NO_SYMBOL;
}

/* probe_find_symbol_at, reading through image. */
static int probe_find_in_image(struct probe_image *image, uint64_t base, const char *symbol, int functions,
                               uint64_t *address)
{
    *address = 0;
    if (base == 0 || symbol == NULL || symbol[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    struct probe_tables tables;
    int status = probe_read_tables(image, base, &tables);
    return status == PROBE_OK ? probe_lookup(image, &tables, symbol, probe_symbol_hash(symbol), functions, address) : status;
}

/* defined[i] for each of names in the tables of the object at base (read once). */
static int probe_find_all(struct probe_image *image, uint64_t base, const char *const *names,
                          const uint32_t *hashes, size_t count, unsigned char *defined)
{
    struct probe_tables tables;
    int status = probe_read_tables(image, base, &tables);
    if (status == PROBE_NO_SYMBOL) { /* no dynamic section: it defines none of them */
        memset(defined, 0, count);
        return PROBE_OK;
    }
    for (size_t i = 0; status == PROBE_OK && i < count; i++) {
        uint64_t address = 0;
        int found = names[i] == NULL ? PROBE_NO_SYMBOL
                    : probe_lookup(image, &tables, names[i], hashes != NULL ? hashes[i] : probe_symbol_hash(names[i]), 0,
                                   &address);
        if (found != PROBE_OK && found != PROBE_NO_SYMBOL) {
            status = found;
        }
        defined[i] = (unsigned char)(found == PROBE_OK);
    }
    return status;
}

int probe_find_symbol_at(uint64_t base, const char *symbol, int functions, uint64_t *address)
{
    struct probe_image unbounded;
    probe_image_init(&unbounded, 0);
    return probe_find_in_image(&unbounded, base, symbol, functions, address);
}

int probe_find_symbols_at(uint64_t base, const char *const *names, size_t count, unsigned char *defined)
{
    struct probe_image unbounded;
    probe_image_init(&unbounded, 0);
    memset(defined, 0, count);
    int status = probe_find_all(&unbounded, base, names, NULL, count, defined);
    return status == PROBE_UNAVAILABLE ? PROBE_NOT_LOADED : status;
}

struct probe_segment_query {
    uint64_t bias;
    uint64_t dynamic; /* the object's PT_DYNAMIC, or */
    const char *name; /* its name as the linker lists it (NULL: by dynamic) */
    struct probe_image *image;
};

static int probe_collect_segments(struct dl_phdr_info *info, size_t size, void *data)
{
    struct probe_segment_query *query = data;
    (void)size;
    if ((uint64_t)info->dlpi_addr != query->bias) {
        return 0;
    }
    ElfW(Phdr) phdrs[PROBE_MAX_PHDRS];
    int named = 0;
    size_t count = probe_copy_record(info, query->name, phdrs, PROBE_MAX_PHDRS, &named);
    int here = named;
    for (size_t i = 0; i < count && query->name == NULL; i++) {
        here |= phdrs[i].p_type == PT_DYNAMIC && query->bias + phdrs[i].p_vaddr == query->dynamic;
    }
    if (!here) {
        return 0; /* another object at the same bias (the main program and the vDSO can be at 0) */
    }
    struct probe_image *image = query->image;
    for (size_t i = 0; i < count; i++) {
        const ElfW(Phdr) *phdr = &phdrs[i];
        if (phdr->p_type == PT_LOAD && (phdr->p_flags & PF_R) != 0 && phdr->p_memsz > 0 && image->count < PROBE_MAX_PHDRS) {
            image->starts[image->count] = query->bias + phdr->p_vaddr;
            image->ends[image->count] = query->bias + phdr->p_vaddr + phdr->p_memsz;
            image->count++;
        } else if (phdr->p_type == PT_DYNAMIC) {
            image->dynamic = query->bias + phdr->p_vaddr; /* the linker's program headers, not the image's */
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
    probe_image_init(image, 1);
    if (path == NULL || path[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL) {
        return PROBE_NOT_LOADED;
    }
    struct link_map *map = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != NULL && map->l_ld != NULL) {
        struct probe_segment_query query = {(uint64_t)map->l_addr, (uint64_t)(uintptr_t)map->l_ld, NULL, image};
        dl_iterate_phdr(probe_collect_segments, &query);
        *base = (uint64_t)map->l_addr; /* a shared object's ELF header is where its first PT_LOAD (vaddr 0) is */
    }
    dlclose(handle); /* NOLOAD took no reference beyond this one: the object stays as it was */
    return image->count > 0 ? PROBE_OK : PROBE_UNAVAILABLE;
}

/*
 * The listed object's own image, found by where it is, in one walk of the linker's list. (A dlopen
 * of its name took the linker's locks twice and found the first object of that name, in the
 * default namespace only.)
 */
int probe_find_listed_symbols(uint64_t base, const char *name, const char *const *names, const uint32_t *hashes,
                              size_t count, unsigned char *defined)
{
    struct probe_image image;
    probe_image_init(&image, 1);
    struct probe_segment_query query = {base, 0, name, &image};
    dl_iterate_phdr(probe_collect_segments, &query);
    if (image.count > 0 && image.dynamic == 0) {
        /* a shared object the linker loaded has a PT_DYNAMIC: without one in its record, those
           program headers were edited in memory since; not an answer */
        return PROBE_UNAVAILABLE;
    }
    if (image.count == 0) {
        return PROBE_NOT_LOADED;
    }
    uint64_t first[2] = {image.dynamic, base}; /* the dynamic section, and the page a hash table is most often in */
    probe_image_prefetch(&image, first, 2);
    return probe_find_all(&image, base, names, hashes, count, defined);
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
    return status == PROBE_OK ? probe_find_all(&image, base, names, NULL, count, defined) : status;
}

/* The main program: the first object dl_iterate_phdr reports. */
static int probe_collect_main(struct dl_phdr_info *info, size_t size, void *data)
{
    struct probe_segment_query *query = data;
    (void)size;
    query->bias = (uint64_t)info->dlpi_addr;
    struct probe_image *image = query->image;
    ElfW(Phdr) phdrs[PROBE_MAX_PHDRS];
    int named = 0;
    size_t count = probe_copy_record(info, NULL, phdrs, PROBE_MAX_PHDRS, &named);
    for (size_t i = 0; i < count; i++) {
        const ElfW(Phdr) *phdr = &phdrs[i];
        if (phdr->p_type == PT_DYNAMIC) {
            image->dynamic = query->bias + phdr->p_vaddr;
        }
        if (phdr->p_type == PT_LOAD && (phdr->p_flags & PF_R) != 0 && phdr->p_memsz > 0 && image->count < PROBE_MAX_PHDRS) {
            if (image->count == 0) {
                query->dynamic = query->bias + phdr->p_vaddr; /* its first segment: where its ELF header is */
            }
            image->starts[image->count] = query->bias + phdr->p_vaddr;
            image->ends[image->count] = query->bias + phdr->p_vaddr + phdr->p_memsz;
            image->count++;
        }
    }
    return 1;
}

int probe_main_start(uint64_t *start)
{
    struct probe_image image;
    probe_image_init(&image, 1);
    struct probe_segment_query query = {0, 0, NULL, &image};
    dl_iterate_phdr(probe_collect_main, &query);
    *start = query.dynamic & ~(uint64_t)4095; /* its first segment's first page, where its ELF header is */
    return image.count == 0 ? PROBE_UNAVAILABLE : PROBE_OK;
}

int probe_find_main_symbols(const char *const *names, size_t count, unsigned char *defined)
{
    struct probe_image image;
    probe_image_init(&image, 1);
    struct probe_segment_query query = {0, 0, NULL, &image};
    dl_iterate_phdr(probe_collect_main, &query);
    if (image.count == 0) {
        return PROBE_UNAVAILABLE;
    }
    /* through the linker's PT_DYNAMIC when it has one, relative to its load bias; else from the header */
    return probe_find_all(&image, image.dynamic != 0 ? query.bias : query.dynamic, names, NULL, count, defined);
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
