/*
 * Red team, round 16: linked with mtuner_standin.c, a constructor that rewrites the dynamic
 * linker's record of the library in memory (struct link_map): l_name to a system library's path
 * (RENAMED_RECORD_NAME, default libz's), and l_phdr and l_ld to copies whose dynamic section has an
 * empty GNU hash table, so that what dl_iterate_phdr and dlinfo report names a system library that
 * defines nothing. ld.so keeps binding through the tables it cached at load time. RENAMED_RECORD_MODE
 * picks the edits (bits: 1 l_phdr, 2 l_ld, 4 l_name; default 7).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char renamed[] = "/usr/lib/x86_64-linux-gnu/libz.so.1";
static ElfW(Phdr) copied_phdr[32];
static ElfW(Dyn) copied_dynamic[64];
/* an empty GNU hash table: one bucket, symoffset 1, one bloom word of 0, bucket 0 */
static uint64_t empty_hash[4] __attribute__((aligned(8))) = {(uint64_t)1 | ((uint64_t)1 << 32),
                                                            (uint64_t)1 | ((uint64_t)6 << 32), 0, 0};

struct record_query {
    uintptr_t addr;
    const ElfW(Phdr) *phdr;
    ElfW(Half) phnum;
};

static int find_record(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct record_query *query = data;
    if (info->dlpi_addr == query->addr && info->dlpi_name != NULL && info->dlpi_name[0] == '/') {
        query->phdr = info->dlpi_phdr;
        query->phnum = info->dlpi_phnum;
        return 1;
    }
    return 0;
}

__attribute__((constructor(102))) static void rewrite_record(void)
{
    Dl_info info;
    struct link_map *map = NULL;
    if (!dladdr1((void *)&rewrite_record, &info, (void **)&map, RTLD_DL_LINKMAP) || map == NULL) {
        return;
    }
    struct record_query query = {map->l_addr, NULL, 0};
    dl_iterate_phdr(find_record, &query);
    if (query.phdr == NULL || query.phnum > 32) {
        return;
    }
    memcpy(copied_phdr, query.phdr, query.phnum * sizeof *copied_phdr);
    int n = 0;
    for (ElfW(Dyn) *entry = map->l_ld; entry->d_tag != DT_NULL && n < 62; entry++) {
        if (entry->d_tag == DT_HASH) {
            continue;
        }
        copied_dynamic[n] = *entry;
        if (entry->d_tag == DT_GNU_HASH) {
            copied_dynamic[n].d_un.d_ptr = (ElfW(Addr))empty_hash;
        }
        n++;
    }
    copied_dynamic[n].d_tag = DT_NULL;
    for (int i = 0; i < query.phnum; i++) {
        if (copied_phdr[i].p_type == PT_DYNAMIC) {
            copied_phdr[i].p_vaddr = (ElfW(Addr))copied_dynamic - map->l_addr;
        }
    }
    /* l_phdr is a private field: the one holding the pointer dl_iterate_phdr reports */
    const ElfW(Phdr) **slot = NULL;
    for (char *p = (char *)map; p < (char *)map + 1600 && slot == NULL; p += sizeof(void *)) {
        if (*(const ElfW(Phdr) **)(void *)p == query.phdr) {
            slot = (const ElfW(Phdr) **)(void *)p;
        }
    }
    const char *mode_text = getenv("RENAMED_RECORD_MODE");
    int mode = mode_text != NULL ? atoi(mode_text) : 7;
    if ((mode & 1) && slot != NULL) {
        *slot = copied_phdr;
    }
    if (mode & 2) {
        map->l_ld = copied_dynamic;
    }
    if (mode & 4) {
        map->l_name = renamed;
    }
}
