#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>

#include "probe.h"

/*
 * The GOT slots of chosen imported functions (malloc, free, ...) in one loaded object, checked
 * against where the dynamic linker's global lookup binds them. An injector that rewrites them in
 * place (heaptrack --pid, and any tool built like it) changes no symbol, name or file: only the
 * slots show it. Every read of the object's memory goes through probe_read_memory.
 */

#define PROBE_MAX_DYNAMIC 1024
#define PROBE_MAX_RELOCATIONS 1000000
#define PROBE_MAX_NAME 256

#define PROBE_CHUNK 256 /* relocations read at once: one system call, not one per entry */

/* Index in names of the symbol a relocation refers to, or -1. */
static long probe_relocated_name(uint64_t symtab, uint64_t strtab, uint64_t symbol,
                                 const char *const *names, size_t count)
{
    ElfW(Sym) sym;
    char name[PROBE_MAX_NAME];
    if (symbol == 0
        || probe_read_memory((uintptr_t)(symtab + symbol * sizeof sym), (unsigned char *)&sym, sizeof sym) != PROBE_OK
        || sym.st_name == 0 || probe_read_string(strtab + sym.st_name, name, sizeof name) != PROBE_OK) {
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        if (names[i] != NULL && strcmp(names[i], name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* One relocation table: the slot of each of names[] it relocates by JUMP_SLOT or GLOB_DAT. */
static int probe_scan_relocations(uint64_t base, uint64_t table, uint64_t size, uint64_t symtab, uint64_t strtab,
                                  const char *const *names, size_t count, uint64_t *slots)
{
    ElfW(Rela) chunk[PROBE_CHUNK];
    uint64_t entries = size / sizeof(ElfW(Rela));
    if (entries > PROBE_MAX_RELOCATIONS) {
        entries = PROBE_MAX_RELOCATIONS;
    }
    for (uint64_t at = 0; table != 0 && at < entries; at += PROBE_CHUNK) {
        size_t n = entries - at < PROBE_CHUNK ? (size_t)(entries - at) : PROBE_CHUNK;
        if (probe_read_memory((uintptr_t)(table + at * sizeof(ElfW(Rela))), (unsigned char *)chunk,
                              n * sizeof(ElfW(Rela))) != PROBE_OK) {
            return PROBE_UNAVAILABLE;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t type = ELF64_R_TYPE(chunk[i].r_info);
            if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT) {
                continue; /* most are RELATIVE: no symbol to read */
            }
            long index = probe_relocated_name(symtab, strtab, ELF64_R_SYM(chunk[i].r_info), names, count);
            if (index >= 0 && slots[index] == 0) {
                slots[index] = base + chunk[i].r_offset;
            }
        }
    }
    return PROBE_OK;
}

/* slots[i] = where the GOT slot of names[i] is in the loaded object named path, 0 when it imports none. */
static int probe_find_slots(const char *path, const char *const *names, size_t count, uint64_t *slots,
                            struct link_map **owner_out)
{
    if (path == NULL || path[0] == '\0' || names == NULL || slots == NULL) {
        return PROBE_BAD_INPUT;
    }
    memset(slots, 0, count * sizeof slots[0]);
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL) {
        return PROBE_NOT_LOADED;
    }
    struct link_map *owner = NULL;
    int linked = dlinfo(handle, RTLD_DI_LINKMAP, &owner);
    dlclose(handle); /* still loaded: RTLD_NOLOAD took one more reference, given back here */
    if (linked != 0 || owner == NULL || owner->l_ld == NULL) {
        return PROBE_UNAVAILABLE;
    }
    *owner_out = owner;
    uint64_t base = (uint64_t)owner->l_addr;
    uint64_t dynamic = (uint64_t)(uintptr_t)owner->l_ld;
    uint64_t symtab = 0, strtab = 0, tables[2] = {0, 0}, sizes[2] = {0, 0};
    for (int i = 0; i < PROBE_MAX_DYNAMIC; i++) {
        ElfW(Dyn) entry;
        if (probe_read_memory((uintptr_t)(dynamic + (uint64_t)i * sizeof entry), (unsigned char *)&entry, sizeof entry) != PROBE_OK
            || entry.d_tag == DT_NULL) {
            break;
        }
        switch (entry.d_tag) {
        case DT_SYMTAB: symtab = probe_absolute(base, entry.d_un.d_ptr); break;
        case DT_STRTAB: strtab = probe_absolute(base, entry.d_un.d_ptr); break;
        case DT_JMPREL: tables[0] = probe_absolute(base, entry.d_un.d_ptr); break;
        case DT_PLTRELSZ: sizes[0] = entry.d_un.d_val; break;
        case DT_RELA: tables[1] = probe_absolute(base, entry.d_un.d_ptr); break;
        case DT_RELASZ: sizes[1] = entry.d_un.d_val; break;
        default: break;
        }
    }
    if (symtab == 0 || strtab == 0) {
        return PROBE_NO_SYMBOL;
    }
    for (int t = 0; t < 2; t++) {
        int status = probe_scan_relocations(base, tables[t], sizes[t], symtab, strtab, names, count, slots);
        if (status != PROBE_OK) {
            return status;
        }
    }
    return PROBE_OK;
}

int probe_find_slot(const char *path, const char *name, uint64_t *slot)
{
    const char *const names[1] = {name};
    struct link_map *owner = NULL;
    if (name == NULL || slot == NULL) {
        return PROBE_BAD_INPUT;
    }
    int status = probe_find_slots(path, names, 1, slot, &owner);
    return status == PROBE_OK && *slot == 0 ? PROBE_NO_SYMBOL : status;
}

int probe_audit_slots(const char *path, const char *const *names, size_t count, struct probe_buffer *out)
{
    if (names == NULL || out == NULL || count > 1024) {
        return PROBE_BAD_INPUT;
    }
    uint64_t slots[1024];
    struct link_map *owner = NULL;
    int status = probe_find_slots(path, names, count, slots, &owner);
    if (status != PROBE_OK) {
        return status == PROBE_NO_SYMBOL ? PROBE_OK : status; /* no symbol table: nothing imported to audit */
    }
    for (size_t i = 0; i < count; i++) {
        void *bound = NULL;
        if (slots[i] == 0
            || probe_read_memory((uintptr_t)slots[i], (unsigned char *)&bound, sizeof bound) != PROBE_OK) {
            continue; /* not imported through a slot: nothing to audit */
        }
        void *expected = dlsym(RTLD_DEFAULT, names[i]);
        Dl_info info;
        struct link_map *target = NULL;
        int known = bound != NULL && dladdr1(bound, &info, (void **)&target, RTLD_DL_LINKMAP) != 0;
        if (bound == expected || (known && target == owner)) {
            continue; /* where the linker binds it, or not bound yet (its own PLT) */
        }
        const char *where = known && info.dli_fname != NULL ? info.dli_fname : "";
        uint32_t index = (uint32_t)i;
        uint32_t length = (uint32_t)strnlen(where, 65536);
        status = probe_append_buffer(out, &index, sizeof index);
        if (status == PROBE_OK) {
            status = probe_append_buffer(out, &length, sizeof length);
        }
        if (status == PROBE_OK) {
            status = probe_append_buffer(out, where, length);
        }
        if (status != PROBE_OK) {
            return status;
        }
    }
    return PROBE_OK;
}
