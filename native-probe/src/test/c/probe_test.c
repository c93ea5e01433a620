/*
 * C unit tests of the probe, run under AddressSanitizer and UndefinedBehaviorSanitizer by
 * build.sh. usage: probe_test PATH_OF_libprobe_fixture.so
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <errno.h>
#include <signal.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "probe.h"

static int failures;
static int passes;

#define CHECK(condition) \
    do { \
        if (condition) { \
            passes++; \
        } else { \
            failures++; \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #condition); \
        } \
    } while (0)

/* Whether the loaded-objects blob lists an object whose name contains needle. */
static int blob_lists(const struct probe_buffer *blob, const char *needle, uint64_t *zero_fill)
{
    size_t at = 0;
    while (at + 20 <= blob->size) {
        uint64_t fill;
        uint32_t length;
        memcpy(&fill, blob->data + at + 8, sizeof fill);
        memcpy(&length, blob->data + at + 16, sizeof length);
        if (at + 20 + length > blob->size) {
            return 0;
        }
        if (length > 0 && memmem(blob->data + at + 20, length, needle, strlen(needle)) != NULL) {
            if (zero_fill != NULL) {
                *zero_fill = fill;
            }
            return 1;
        }
        at += 20 + length;
    }
    return 0;
}

static void test_buffer_bounds(void)
{
    struct probe_buffer buffer;
    probe_init_buffer(&buffer, 10);
    CHECK(probe_append_buffer(&buffer, "0123456789", 10) == PROBE_OK);
    CHECK(probe_append_buffer(&buffer, "x", 1) == PROBE_TOO_LARGE);
    CHECK(buffer.size == 10);
    probe_free_buffer(&buffer);
    CHECK(buffer.data == NULL);
}

static void test_objects_and_changes(const char *fixture)
{
    uint64_t before = 0;
    uint64_t after = 0;
    CHECK(probe_count_changes(&before) == PROBE_OK);
    struct probe_buffer blob;
    probe_init_buffer(&blob, 1 << 20);
    CHECK(probe_list_objects(&blob) == PROBE_OK);
    CHECK(blob_lists(&blob, "libc.so", NULL));
    CHECK(!blob_lists(&blob, "libprobe_fixture", NULL));
    probe_free_buffer(&blob);

    void *handle = dlopen(fixture, RTLD_NOW);
    CHECK(handle != NULL);
    CHECK(probe_count_changes(&after) == PROBE_OK);
    CHECK(after > before);
    probe_init_buffer(&blob, 1 << 20);
    uint64_t fill = 99;
    CHECK(probe_list_objects(&blob) == PROBE_OK);
    CHECK(blob_lists(&blob, "libprobe_fixture", &fill));
    CHECK(fill < (1u << 20)); /* a small library has a small zero-fill */
    probe_free_buffer(&blob);

    probe_init_buffer(&blob, 8); /* too small for one record: a bound, not an overflow */
    CHECK(probe_list_objects(&blob) == PROBE_TOO_LARGE);
    probe_free_buffer(&blob);
    dlclose(handle);
}

static void test_symbols(const char *fixture)
{
    const char *names[] = {"fixture_shutdown", "fixture_answer", "malloc", "no_such_symbol"};
    unsigned char defined[4] = {9, 9, 9, 9};
    CHECK(probe_find_symbols(fixture, names, 4, defined) == PROBE_NOT_LOADED);
    void *handle = dlopen(fixture, RTLD_NOW);
    CHECK(probe_find_symbols(fixture, names, 4, defined) == PROBE_OK);
    CHECK(defined[0] == 1 && defined[1] == 1);
    CHECK(defined[2] == 0); /* found through a dependency (libc), not defined by the fixture */
    CHECK(defined[3] == 0);
    CHECK(probe_find_symbols("", names, 4, defined) == PROBE_BAD_INPUT);
    CHECK(probe_find_symbols(NULL, names, 4, defined) == PROBE_BAD_INPUT);

    struct probe_buffer provider;
    probe_init_buffer(&provider, 4096);
    /* These tests run under AddressSanitizer, whose runtime interposes malloc: exactly what
       the probe is meant to see. */
    CHECK(probe_find_provider("malloc", &provider) == PROBE_OK);
    CHECK(provider.size > 0 && memmem(provider.data, provider.size, "libasan", 7) != NULL);
    probe_free_buffer(&provider);
    probe_init_buffer(&provider, 4096);
    CHECK(probe_find_provider("no_such_symbol_anywhere", &provider) == PROBE_NO_SYMBOL);
    probe_free_buffer(&provider);
    dlclose(handle);
}

static void test_shutdown(const char *fixture)
{
    CHECK(probe_call_shutdown(fixture, "fixture_shutdown") == PROBE_NOT_LOADED);
    void *handle = dlopen(fixture, RTLD_NOW);
    int *count = dlsym(handle, "fixture_shutdowns");
    CHECK(count != NULL && *count == 0);
    CHECK(probe_call_shutdown(fixture, "fixture_shutdown") == PROBE_OK);
    CHECK(count != NULL && *count == 1);
    CHECK(probe_call_shutdown(fixture, "malloc") == PROBE_NO_SYMBOL); /* not the fixture's own */
    CHECK(probe_call_shutdown(fixture, "no_such_symbol") == PROBE_NO_SYMBOL);
    CHECK(probe_call_shutdown(fixture, "") == PROBE_BAD_INPUT);
    CHECK(count != NULL && *count == 1);
    dlclose(handle);
}

static void test_marks(const char *fixture)
{
    const unsigned char *patterns[] = {(const unsigned char *)"profguard-fixture-marker-7f3a",
                                       (const unsigned char *)"absent-marker-0000"};
    size_t lengths[] = {29, 18};
    unsigned char found[2] = {9, 9};
    CHECK(probe_find_marks(fixture, patterns, lengths, 2, found) == PROBE_NOT_LOADED);
    void *handle = dlopen(fixture, RTLD_NOW);
    CHECK(probe_find_marks(fixture, patterns, lengths, 2, found) == PROBE_OK);
    CHECK(found[0] == 1);
    CHECK(found[1] == 0);
    size_t bad[] = {0, 18};
    CHECK(probe_find_marks(fixture, patterns, bad, 2, found) == PROBE_BAD_INPUT);
    dlclose(handle);
}

/* Last: a global lookup that finds the fixture pins it in memory (glibc adds a dependency). */
/*
 * Each object the linker lists, looked up where it is (probe_find_listed_symbols, the first look's
 * way) against by its name (probe_find_symbols, the evidence ladder's): the same answer for every
 * object a dlopen of its name finds; another base or another name finds nothing.
 */
static void test_listed_symbols(const char *fixture)
{
    void *handle = dlopen(fixture, RTLD_NOW);
    CHECK(handle != NULL);
    const char *names[] = {"fixture_shutdown", "fixture_answer", "malloc", "free", "dlopen", "no_such_symbol"};
    uint32_t hashes[6];
    for (size_t i = 0; i < 6; i++) {
        hashes[i] = probe_symbol_hash(names[i]);
    }
    struct probe_buffer objects;
    probe_init_buffer(&objects, (size_t)16 << 20);
    CHECK(probe_list_objects(&objects) == PROBE_OK);
    size_t at = 0;
    int compared = 0;
    int fixture_seen = 0;
    int libc_seen = 0;
    while (at + 20 <= objects.size) {
        uint64_t base;
        uint32_t length;
        memcpy(&base, objects.data + at, sizeof base);
        memcpy(&length, objects.data + at + 16, sizeof length);
        char name[PATH_MAX];
        CHECK(length < sizeof name && at + 20 + length <= objects.size);
        if (length >= sizeof name || at + 20 + length > objects.size) {
            break;
        }
        memcpy(name, objects.data + at + 20, length);
        name[length] = '\0';
        at += 20 + length;
        if (strchr(name, '/') == NULL) {
            continue; /* the main program and the vDSO: not looked up by name */
        }
        unsigned char listed[6] = {9, 9, 9, 9, 9, 9};
        unsigned char named[6] = {9, 9, 9, 9, 9, 9};
        int by_place = probe_find_listed_symbols(base, name, names, hashes, 6, listed);
        int by_name = probe_find_symbols(name, names, 6, named);
        CHECK(by_place == PROBE_OK);
        if (by_name == PROBE_OK) {
            CHECK(memcmp(listed, named, sizeof listed) == 0);
            compared++;
        }
        if (strcmp(name, fixture) == 0) {
            fixture_seen = 1;
            CHECK(listed[0] == 1 && listed[1] == 1 && listed[2] == 0 && listed[5] == 0);
        }
        if (strstr(name, "/libc.so") != NULL) {
            libc_seen = 1;
            CHECK(listed[2] == 1 && listed[3] == 1 && listed[5] == 0);
        }
        unsigned char none[6];
        CHECK(probe_find_listed_symbols(base + 4096, name, names, hashes, 6, none) == PROBE_NOT_LOADED);
        CHECK(probe_find_listed_symbols(base, "/nowhere/libother.so", names, hashes, 6, none) == PROBE_NOT_LOADED);
    }
    CHECK(compared >= 3 && fixture_seen && libc_seen);
    probe_free_buffer(&objects);
    if (handle != NULL) {
        dlclose(handle);
    }
}

/*
 * An object whose ELF header in memory points e_phoff at a table of its own making, without
 * PT_DYNAMIC, while the linker bound it through the real one (red team round 15: the file holds
 * the real table where the memory at that offset holds the other). Its symbols are still found,
 * by name and where it is, and its switch-off still found: through the linker's record.
 */
static void test_lying_program_headers(const char *fixture)
{
    void *handle = dlopen(fixture, RTLD_NOW);
    CHECK(handle != NULL);
    struct link_map *map = NULL;
    unsigned char *scratch = handle == NULL ? NULL : dlsym(handle, "fixture_scratch");
    int *shutdowns = handle == NULL ? NULL : dlsym(handle, "fixture_shutdowns");
    CHECK(handle != NULL && dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != NULL && scratch != NULL && shutdowns != NULL);
    if (map == NULL || scratch == NULL || shutdowns == NULL) {
        return;
    }
    ElfW(Ehdr) *header = (ElfW(Ehdr) *)(uintptr_t)map->l_addr;
    size_t table = (size_t)header->e_phnum * sizeof(ElfW(Phdr));
    CHECK(table <= 4096);
    memcpy(scratch, (const unsigned char *)header + header->e_phoff, table);
    ElfW(Phdr) *made = (ElfW(Phdr) *)(void *)scratch;
    for (size_t i = 0; i < header->e_phnum; i++) {
        if (made[i].p_type == PT_DYNAMIC) {
            made[i].p_type = PT_NULL;
        }
    }
    void *page = (void *)((uintptr_t)header & ~(uintptr_t)4095);
    CHECK(mprotect(page, 4096, PROT_READ | PROT_WRITE) == 0);
    ElfW(Off) real = header->e_phoff;
    header->e_phoff = (ElfW(Off))((uintptr_t)scratch - (uintptr_t)header);
    const char *names[] = {"fixture_answer", "fixture_shutdown"};
    uint32_t hashes[] = {probe_symbol_hash(names[0]), probe_symbol_hash(names[1])};
    unsigned char defined[2] = {0, 0};
    CHECK(probe_find_symbols(fixture, names, 2, defined) == PROBE_OK && defined[0] == 1 && defined[1] == 1);
    memset(defined, 0, sizeof defined);
    CHECK(probe_find_listed_symbols((uint64_t)map->l_addr, map->l_name, names, hashes, 2, defined) == PROBE_OK
          && defined[0] == 1 && defined[1] == 1);
    int before = *shutdowns;
    CHECK(probe_call_shutdown(fixture, "fixture_shutdown") == PROBE_OK && *shutdowns == before + 1);
    header->e_phoff = real;
    /* the linker's own record edited in memory (its program headers lie in the header's page):
       without PT_DYNAMIC there, no answer, never "defines nothing" */
    ElfW(Phdr) *recorded = (ElfW(Phdr) *)(void *)((unsigned char *)header + header->e_phoff);
    size_t dynamic_at = header->e_phnum;
    for (size_t i = 0; i < header->e_phnum; i++) {
        dynamic_at = recorded[i].p_type == PT_DYNAMIC ? i : dynamic_at;
    }
    CHECK(dynamic_at < header->e_phnum);
    if (dynamic_at < header->e_phnum && (uintptr_t)&recorded[dynamic_at + 1] <= (uintptr_t)page + 4096) {
        recorded[dynamic_at].p_type = PT_NULL;
        memset(defined, 9, sizeof defined);
        CHECK(probe_find_listed_symbols((uint64_t)map->l_addr, map->l_name, names, hashes, 2, defined) == PROBE_UNAVAILABLE);
        recorded[dynamic_at].p_type = PT_DYNAMIC;
    }
    CHECK(mprotect(page, 4096, PROT_READ) == 0);
    dlclose(handle);
}


static int find_recorded(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const ElfW(Phdr) **found = data;
    if (info->dlpi_addr == (ElfW(Addr))(uintptr_t)found[1]) {
        found[0] = info->dlpi_phdr;
        return 1;
    }
    return 0;
}

/* The fixture with the linker's record of it rewritten in memory, and how to put it back. */
struct claimed_record {
    void *handle;
    struct link_map *map;
    const ElfW(Phdr) **slot;
    const ElfW(Phdr) *recorded;
    ElfW(Dyn) *ld;
    unsigned char *hole; /* three pages: the hash table's is the middle one */
};

/*
 * Rewrites the linker's record of the fixture to claim one more loadable segment, over three
 * pages of its own (PROT_NONE) and a made-up dynamic section whose hash table is in the middle
 * page; with copy_hash, that page holds a copy of the fixture's real hash table and is readable.
 * 0 when it could not be set up (checked).
 */
static int claim_record(const char *fixture, int copy_hash, struct claimed_record *claim)
{
    memset(claim, 0, sizeof *claim);
    void *handle = dlopen(fixture, RTLD_NOW);
    struct link_map *map = NULL;
    CHECK(handle != NULL && dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != NULL);
    if (map == NULL) {
        return 0;
    }
    const ElfW(Phdr) *found[2] = {NULL, (const ElfW(Phdr) *)(uintptr_t)map->l_addr};
    dl_iterate_phdr(find_recorded, found);
    const ElfW(Phdr) **slot = NULL;
    for (char *p = (char *)map; found[0] != NULL && p < (char *)map + 1600 && slot == NULL; p += sizeof(void *)) {
        if (*(const ElfW(Phdr) **)(void *)p == found[0]) {
            slot = (const ElfW(Phdr) **)(void *)p;
        }
    }
    ElfW(Ehdr) *header = (ElfW(Ehdr) *)(uintptr_t)map->l_addr;
    /* unreadable pages above the object, and the made-up dynamic section inside it (its scratch
       array), so that one segment claimed from there can cover both */
    unsigned char *hole = MAP_FAILED;
    for (uintptr_t at = map->l_addr + ((uintptr_t)64 << 20); hole == MAP_FAILED && at < map->l_addr + ((uintptr_t)1 << 30);
         at += (uintptr_t)64 << 20) {
        hole = mmap((void *)at, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    }
    ElfW(Dyn) *dynamic = handle == NULL ? NULL : dlsym(handle, "fixture_scratch");
    CHECK(slot != NULL && hole != MAP_FAILED && dynamic != NULL && header->e_phnum <= 16);
    if (slot == NULL || hole == MAP_FAILED || dynamic == NULL || header->e_phnum > 16) {
        dlclose(handle);
        return 0;
    }
    static ElfW(Phdr) claimed[17];
    memcpy(claimed, found[0], header->e_phnum * sizeof claimed[0]);
    int n = 0;
    for (ElfW(Dyn) *entry = map->l_ld; entry->d_tag != DT_NULL && n < 62; entry++) {
        dynamic[n] = *entry;
        if (entry->d_tag == DT_GNU_HASH || entry->d_tag == DT_HASH) {
            if (copy_hash) { /* the real table, up to the end of its page, in the middle page */
                uintptr_t table = (uintptr_t)probe_absolute((uint64_t)map->l_addr, (uint64_t)entry->d_un.d_ptr);
                size_t room = 4096 - (table & 4095);
                CHECK(mprotect(hole + 4096, 4096, PROT_READ | PROT_WRITE) == 0);
                memcpy(hole + 4096, (const void *)table, room);
                CHECK(mprotect(hole + 4096, 4096, PROT_READ) == 0);
            }
            dynamic[n].d_un.d_ptr = (ElfW(Addr))(uintptr_t)(hole + 4096);
        }
        n++;
    }
    dynamic[n].d_tag = DT_NULL;
    /* one more loadable segment, claimed over the hole's pages and this dynamic section */
    uintptr_t low = (uintptr_t)hole < (uintptr_t)dynamic ? (uintptr_t)hole : (uintptr_t)dynamic;
    uintptr_t high = (uintptr_t)hole + 3 * 4096 > (uintptr_t)(dynamic + 64) ? (uintptr_t)hole + 3 * 4096
                                                                              : (uintptr_t)(dynamic + 64);
    ElfW(Phdr) extra = {PT_LOAD, PF_R | PF_W, 0, (ElfW(Addr))(low - map->l_addr), 0, 0, (ElfW(Xword))(high - low), 4096};
    int claimed_count = header->e_phnum;
    for (int i = 0; i < claimed_count; i++) {
        if (claimed[i].p_type == PT_DYNAMIC) {
            claimed[i].p_vaddr = (ElfW(Addr))((uintptr_t)dynamic - map->l_addr);
        }
    }
    if (low >= map->l_addr) { /* within reach of the object's base (p_vaddr is unsigned) */
        claimed[claimed_count++] = extra;
    }
    /* dlpi_phnum stays as it was: the extra segment takes the place of an entry that is neither
       loadable nor the dynamic section */
    int placed = 0;
    for (int i = 0; claimed_count > header->e_phnum && i < header->e_phnum && !placed; i++) {
        if (claimed[i].p_type != PT_LOAD && claimed[i].p_type != PT_DYNAMIC) {
            claimed[i] = extra;
            placed = 1;
        }
    }
    CHECK(placed);
    claim->handle = handle;
    claim->map = map;
    claim->slot = slot;
    claim->recorded = *slot;
    claim->ld = map->l_ld;
    claim->hole = hole;
    *slot = claimed;
    map->l_ld = dynamic;
    return 1;
}

static void unclaim_record(const char *fixture, struct claimed_record *claim)
{
    *claim->slot = claim->recorded;
    claim->map->l_ld = claim->ld;
    const char *names[] = {"fixture_answer"};
    unsigned char defined[1] = {9};
    CHECK(probe_find_symbols(fixture, names, 1, defined) == PROBE_OK && defined[0] == 1);
    munmap(claim->hole, 3 * 4096);
    dlclose(claim->handle);
}

/*
 * The linker's record of the fixture rewritten in memory to claim a loadable segment over a page
 * that is not readable, with its dynamic section's hash table there (red team round 16: a SIGSEGV
 * in the probe, in premain, on JDK 17 and 25). The lookups read only readable memory: no answer,
 * and no fault.
 */
static void test_record_claiming_unreadable_memory(const char *fixture)
{
    struct claimed_record claim;
    if (!claim_record(fixture, 0, &claim)) {
        return;
    }
    const char *names[] = {"fixture_answer"};
    uint32_t hashes[] = {probe_symbol_hash(names[0])};
    unsigned char defined[1] = {9};
    CHECK(probe_find_listed_symbols((uint64_t)claim.map->l_addr, claim.map->l_name, names, hashes, 1, defined) != PROBE_OK);
    CHECK(probe_find_symbols(fixture, names, 1, defined) != PROBE_OK);
    CHECK(probe_call_shutdown(fixture, "fixture_shutdown") != PROBE_OK);
    unclaim_record(fixture, &claim);
}

struct toggling {
    unsigned char *page;
    volatile int stop;
};

static void *toggle_page(void *data)
{
    struct toggling *toggling = data;
    while (!toggling->stop) {
        mprotect(toggling->page, 4096, PROT_NONE);
        mprotect(toggling->page, 4096, PROT_READ);
    }
    return NULL;
}

/*
 * The hash table's page made unreadable and readable again by another thread while it is read
 * (red team round 17: a library that did this to its own .gnu.hash crashed the JVM in the
 * watcher, between the probe's check that the page was readable and its copy). Every lookup
 * answers, found or not, and none faults.
 */
static void test_hash_table_made_unreadable_while_read(const char *fixture)
{
    struct claimed_record claim;
    if (!claim_record(fixture, 1, &claim)) {
        return;
    }
    const char *names[] = {"fixture_answer"};
    uint32_t hashes[] = {probe_symbol_hash(names[0])};
    unsigned char defined[1] = {9};
    CHECK(probe_find_listed_symbols((uint64_t)claim.map->l_addr, claim.map->l_name, names, hashes, 1, defined) == PROBE_OK
          && defined[0] == 1); /* the copy is a working table */
    struct toggling toggling = {claim.hole + 4096, 0};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, toggle_page, &toggling) == 0);
    int found = 0;
    int answered = 0;
    for (int i = 0; i < 20000; i++) {
        int status = probe_find_listed_symbols((uint64_t)claim.map->l_addr, claim.map->l_name, names, hashes, 1, defined);
        found += status == PROBE_OK && defined[0] == 1;
        answered += status == PROBE_OK || status == PROBE_UNAVAILABLE;
        status = probe_find_symbols(fixture, names, 1, defined);
        answered += status == PROBE_OK || status == PROBE_UNAVAILABLE;
    }
    toggling.stop = 1;
    pthread_join(thread, NULL);
    CHECK(answered == 40000);
    printf("probe C tests: hash table toggled while read: found %d of 20000 lookups, no fault\n", found);
    CHECK(mprotect(claim.hole + 4096, 4096, PROT_READ) == 0);
    unclaim_record(fixture, &claim);
}

/*
 * The linker's record of the fixture pointing its program headers, then its name, at a page that
 * cannot be read (red team round 20: a library that made its own header page PROT_NONE crashed
 * the JVM in the end's first look, and one that made it a userfaultfd trap hung it, with the
 * linker's lock held; dlpi_phdr and dlpi_name were read in place). Every walk answers, none faults:
 * the object is listed with no zero-fill, its symbols and marks are no answer.
 */
static void test_record_pointing_at_unreadable_memory(const char *fixture)
{
    struct claimed_record claim;
    if (!claim_record(fixture, 0, &claim)) {
        return;
    }
    const ElfW(Phdr) *claimed = *claim.slot;
    *claim.slot = (const ElfW(Phdr) *)(const void *)claim.hole; /* PROT_NONE */
    const char *base_name = strrchr(fixture, '/') != NULL ? strrchr(fixture, '/') + 1 : fixture;
    struct probe_buffer objects;
    probe_init_buffer(&objects, (size_t)16 << 20);
    uint64_t fill = 9;
    CHECK(probe_list_objects(&objects) == PROBE_OK && blob_lists(&objects, base_name, &fill) && fill == 0);
    const char *names[] = {"fixture_answer"};
    uint32_t hashes[] = {probe_symbol_hash(names[0])};
    unsigned char defined[1] = {9};
    CHECK(probe_find_listed_symbols((uint64_t)claim.map->l_addr, claim.map->l_name, names, hashes, 1, defined) != PROBE_OK);
    const unsigned char *patterns[] = {(const unsigned char *)"profguard-fixture-marker-7f3a"};
    size_t lengths[] = {29};
    unsigned char found[1] = {9};
    CHECK(probe_find_marks(fixture, patterns, lengths, 1, found) == PROBE_UNAVAILABLE);
    char *name = claim.map->l_name;
    claim.map->l_name = (char *)claim.hole;
    size_t listed_before = objects.size;
    objects.size = 0;
    CHECK(probe_list_objects(&objects) == PROBE_OK && !blob_lists(&objects, base_name, NULL) && objects.size > 0);
    CHECK(objects.size < listed_before); /* the same objects, the fixture's name empty */
    CHECK(probe_find_listed_symbols((uint64_t)claim.map->l_addr, name, names, hashes, 1, defined) == PROBE_NOT_LOADED);
    claim.map->l_name = name;
    *claim.slot = claimed;
    probe_free_buffer(&objects);
    unclaim_record(fixture, &claim);
}

/*
 * The GNU hash table's Bloom filter is asked first, as ld.so asks it (dl-lookup.c): a name whose
 * bits are clear there is one the linker never binds in this object, so it is not defined; a
 * filter not of the form ld.so assumes (here a shift of 64 or more; also a count of words not a
 * power of two) is passed over and the chain walked, which finds all ld.so could find and more.
 */
static void test_bloom_filter(const char *fixture)
{
    struct claimed_record claim;
    if (!claim_record(fixture, 1, &claim)) {
        return;
    }
    const char *names[] = {"fixture_answer"};
    uint32_t hashes[] = {probe_symbol_hash(names[0])};
    unsigned char defined[1] = {9};
    uint32_t *header = (uint32_t *)(void *)(claim.hole + 4096);
    uint64_t *bloom = (uint64_t *)(void *)(header + 4);
    CHECK(header[2] > 0 && (header[2] & (header[2] - 1)) == 0 && header[3] < 64);
    uint64_t base = (uint64_t)claim.map->l_addr;
    CHECK(probe_find_listed_symbols(base, claim.map->l_name, names, hashes, 1, defined) == PROBE_OK && defined[0] == 1);
    CHECK(mprotect(claim.hole + 4096, 4096, PROT_READ | PROT_WRITE) == 0);
    uint32_t words = header[2];
    CHECK(words > 0);
    uint32_t shift = header[3];
    size_t word = (hashes[0] / 64) & (words - 1);
    uint64_t kept = bloom[word];
    bloom[word] = 0; /* both of the name's bits clear: ld.so would not look further */
    CHECK(probe_find_listed_symbols(base, claim.map->l_name, names, hashes, 1, defined) == PROBE_OK && defined[0] == 0);
    bloom[word] = ~(uint64_t)0;
    CHECK(probe_find_listed_symbols(base, claim.map->l_name, names, hashes, 1, defined) == PROBE_OK && defined[0] == 1);
    bloom[word] = 0;
    header[3] = 64; /* a shift past the word: the chain is walked */
    CHECK(probe_find_listed_symbols(base, claim.map->l_name, names, hashes, 1, defined) == PROBE_OK && defined[0] == 1);
    header[3] = shift;
    bloom[word] = kept;
    CHECK(mprotect(claim.hole + 4096, 4096, PROT_READ) == 0);
    CHECK(probe_find_listed_symbols(base, claim.map->l_name, names, hashes, 1, defined) == PROBE_OK && defined[0] == 1);
    unclaim_record(fixture, &claim);
}

static void test_provider_of_a_global_symbol(const char *fixture)
{
    void *global = dlopen(fixture, RTLD_NOW | RTLD_GLOBAL);
    struct probe_buffer provider;
    probe_init_buffer(&provider, 4096);
    CHECK(probe_find_provider("fixture_answer", &provider) == PROBE_OK);
    CHECK(provider.size > 0 && memmem(provider.data, provider.size, "libprobe_fixture", 16) != NULL);
    probe_free_buffer(&provider);
    dlclose(global);
}

static void test_environ(void)
{
    setenv("PROBE_TEST_LIVE", "set-after-start", 1);
    struct probe_buffer env;
    probe_init_buffer(&env, 1 << 20);
    CHECK(probe_copy_environ(&env) == PROBE_OK);
    CHECK(memmem(env.data, env.size, "PROBE_TEST_LIVE=set-after-start", 31) != NULL);
    probe_free_buffer(&env);
    probe_init_buffer(&env, 4);
    CHECK(probe_copy_environ(&env) == PROBE_TOO_LARGE);
    probe_free_buffer(&env);
}

/* An object in another link-map namespace: found and called through its dynamic section in memory. */
static void test_shutdown_at(const char *fixture)
{
    void *handle = dlmopen(LM_ID_NEWLM, fixture, RTLD_NOW);
    CHECK(handle != NULL);
    if (handle == NULL) {
        return;
    }
    struct link_map *map = NULL;
    CHECK(dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != NULL);
    int *count = dlsym(handle, "fixture_shutdowns");
    CHECK(count != NULL && *count == 0);
    CHECK(probe_call_shutdown(fixture, "fixture_shutdown") == PROBE_NOT_LOADED); /* not in this namespace */
    CHECK(probe_call_shutdown_at((uint64_t)map->l_addr, "fixture_shutdown") == PROBE_OK);
    CHECK(count != NULL && *count == 1);
    CHECK(probe_call_shutdown_at((uint64_t)map->l_addr, "no_such_symbol") == PROBE_NO_SYMBOL);
    CHECK(probe_call_shutdown_at((uint64_t)map->l_addr, "fixture_shutdowns") == PROBE_NO_SYMBOL); /* data */
    CHECK(probe_call_shutdown_at(0, "fixture_shutdown") == PROBE_BAD_INPUT);
    CHECK(probe_call_shutdown_at(16, "fixture_shutdown") == PROBE_NOT_LOADED); /* unmapped: no fault */
    CHECK(count != NULL && *count == 1);
    uint64_t address = 0;
    CHECK(probe_find_symbol_at((uint64_t)map->l_addr, "fixture_shutdowns", 0, &address) == PROBE_OK); /* any type */
    CHECK(address == (uint64_t)(uintptr_t)count);
    CHECK(probe_find_symbol_at((uint64_t)map->l_addr, "fixture_shutdowns", 1, &address) == PROBE_NO_SYMBOL);
    CHECK(probe_find_symbol_at((uint64_t)map->l_addr, "fixture_answer", 1, &address) == PROBE_OK);
    /* several names at once, in memory: what a mapping holds whatever its name (red team round 11) */
    const char *names[3] = {"fixture_answer", "no_such_symbol", "fixture_shutdowns"};
    unsigned char defined[3] = {9, 9, 9};
    CHECK(probe_find_symbols_at((uint64_t)map->l_addr, names, 3, defined) == PROBE_OK);
    CHECK(defined[0] == 1 && defined[1] == 0 && defined[2] == 1);
    CHECK(probe_find_symbols_at(16, names, 3, defined) == PROBE_NOT_LOADED); /* unmapped: no fault */
    dlclose(handle);
}

/* The main program's image, found through its first mapping like the start-up scan does. */
static void test_main_program_symbols(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    CHECK(maps != NULL);
    char exe[4096];
    ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
    CHECK(length > 0);
    if (maps == NULL || length <= 0) {
        return;
    }
    exe[length] = '\0';
    char line[8192];
    unsigned long long header = 0;
    while (header == 0 && fgets(line, sizeof line, maps) != NULL) {
        unsigned long long start, offset;
        if (sscanf(line, "%llx-%*x %*s %llx", &start, &offset) == 2 && offset == 0 && strstr(line, exe) != NULL) {
            header = start;
        }
    }
    fclose(maps);
    uint64_t address = 0;
    CHECK(header != 0 && probe_find_symbol_at(header, "main", 0, &address) != PROBE_NOT_LOADED);
    CHECK(probe_find_symbol_at(header, "rmemInit", 0, &address) == PROBE_NO_SYMBOL);
}

static void test_open_regular(const char *fixture)
{
    int fd = 7;
    CHECK(probe_open_regular(fixture, &fd) == PROBE_OK && fd >= 0);
    CHECK(probe_close_file(fd) == PROBE_OK);
    char fifo[] = "/tmp/probe-test-fifo-XXXXXX";
    int made = mkstemp(fifo);
    CHECK(made >= 0);
    if (made >= 0) {
        close(made);
        unlink(fifo);
        CHECK(mkfifo(fifo, 0600) == 0);
        /* no writer: a blocking open would never return */
        CHECK(probe_open_regular(fifo, &fd) == PROBE_NOT_REGULAR && fd == -1);
        unlink(fifo);
    }
    CHECK(probe_open_regular("/dev/null", &fd) == PROBE_NOT_REGULAR);
    CHECK(probe_open_regular("/tmp", &fd) == PROBE_NOT_REGULAR);
    CHECK(probe_open_regular("/no/such/file", &fd) == PROBE_NOT_LOADED);
    CHECK(probe_open_regular("", &fd) == PROBE_BAD_INPUT);
    CHECK(probe_close_file(-1) == PROBE_BAD_INPUT);
}

static void test_self(void)
{
    struct probe_buffer name;
    uint64_t base = 0;
    probe_init_buffer(&name, 4096);
    /* linked into this test program: the main program, whose name the linker leaves empty */
    CHECK(probe_find_self(&name, &base) == PROBE_OK);
    probe_free_buffer(&name);
}

static uint32_t scan_with(const char *rules_text)
{
    struct probe_start_rules rules;
    uint32_t reasons = 0xffffffffu;
    if (probe_parse_start_rules(rules_text, strlen(rules_text), &rules) != PROBE_OK) {
        return reasons;
    }
    CHECK(probe_scan_start(&rules, &reasons) == PROBE_OK);
    probe_free_start_rules(&rules);
    return reasons;
}

/* scan_with, with the files the gate judged (triples of stat's device, inode and change time in ns). */
static uint32_t scan_judged(const char *rules_text, const uint64_t *judged, size_t count)
{
    struct probe_start_rules rules;
    uint32_t reasons = 0xffffffffu;
    if (probe_parse_start_rules(rules_text, strlen(rules_text), &rules) != PROBE_OK) {
        return reasons;
    }
    rules.judged = judged;
    rules.judged_count = count;
    CHECK(probe_scan_start(&rules, &reasons) == PROBE_OK);
    probe_free_start_rules(&rules);
    return reasons;
}

/* scan_with at the JVM's end (rules.at_end). */
static uint32_t scan_at_end(const char *rules_text)
{
    struct probe_start_rules rules;
    uint32_t reasons = 0xffffffffu;
    if (probe_parse_start_rules(rules_text, strlen(rules_text), &rules) != PROBE_OK) {
        return reasons;
    }
    rules.at_end = 1;
    CHECK(probe_scan_start(&rules, &reasons) == PROBE_OK);
    probe_free_start_rules(&rules);
    return reasons;
}

/*
 * At the JVM's end the first look also lists the working directory for a rule's capture file
 * name: a client gone since the last look leaves only that, and native code can put the linker's
 * counter back (red team round 21). At start-up it does not (a file left by an earlier run).
 */
static void test_capture_name_at_end(void)
{
    char here[PATH_MAX];
    char made[] = "/tmp/probe-test-cwd-XXXXXX";
    CHECK(getcwd(here, sizeof here) != NULL && mkdtemp(made) != NULL && chdir(made) == 0);
    const char *rules = "rule a\ncapture mtuner_capture_*.MTuner\n";
    CHECK((scan_at_end(rules) & PROBE_SCAN_OPEN_FILE) == 0);
    FILE *capture = fopen("mtuner_capture_1796687839.MTuner", "w");
    CHECK(capture != NULL);
    if (capture != NULL) {
        fclose(capture);
    }
    CHECK((scan_at_end(rules) & PROBE_SCAN_OPEN_FILE) != 0);
    CHECK((scan_with(rules) & PROBE_SCAN_OPEN_FILE) == 0);
    CHECK(unlink("mtuner_capture_1796687839.MTuner") == 0 && chdir(here) == 0 && rmdir(made) == 0);
}

static void test_start_rules_parsing(void)
{
    struct probe_start_rules rules;
    const char *good = "rule a\nsymbol rmemInit\nsymbols.min 2\nname *mtuner*\nvariable MTuner_Allocator\n"
                       "capture *.MTuner\nheader 0040010202\nzerofill 1073741824\nmark .MTuner\nrule b\nzerofill 5\n";
    CHECK(probe_parse_start_rules(good, strlen(good), &rules) == PROBE_OK);
    CHECK(rules.symbols.count == 1 && strcmp(rules.symbols.items[0], "rmemInit") == 0);
    CHECK(rules.names.count == 1 && rules.variables.count == 1 && rules.captures.count == 1);
    CHECK(rules.headers.count == 1 && rules.header_lengths[0] == 5 && memcmp(rules.headers.items[0], "\x00\x40\x01\x02\x02", 5) == 0);
    CHECK(rules.zero_fill == 5);
    probe_free_start_rules(&rules);
    /* what it cannot look for, it must not take as clean */
    const char *bad[] = {"", "symbol x\n", "rule a\nbogus x\n", "rule a\nheader 0g\n", "rule a\nheader 012\n",
                         "rule a\nzerofill -1\n", "rule a\nzerofill 12x\n", "rule a\nname\n", "rule a\nname \n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(probe_parse_start_rules(bad[i], strlen(bad[i]), &rules) == PROBE_BAD_INPUT);
        CHECK(rules.text == NULL);
    }
    /* bounded: more items than it holds */
    size_t size = 8 + (PROBE_MAX_RULE_ITEMS + 1) * 9;
    char *many = malloc(size + 1);
    CHECK(many != NULL);
    if (many != NULL) {
        strcpy(many, "rule a\n");
        for (int i = 0; i <= PROBE_MAX_RULE_ITEMS; i++) {
            strcat(many, "name *x*\n");
        }
        CHECK(probe_parse_start_rules(many, strlen(many), &rules) == PROBE_TOO_LARGE);
        free(many);
    }
    /* random bytes never crash it */
    srand(7);
    for (int round = 0; round < 2000; round++) {
        char noise[96];
        size_t length = (size_t)(rand() % (int)sizeof noise) + 1;
        for (size_t i = 0; i < length; i++) {
            static const char alphabet[] = "rule symbol name header zerofill capture 0123456789abcdefg\n *\x80";
            noise[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        }
        if (probe_parse_start_rules(noise, length, &rules) == PROBE_OK) {
            probe_free_start_rules(&rules);
        }
    }
}

static void test_globs(void)
{
    CHECK(probe_glob_matches("*mtuner*", "libMTuner.so"));
    CHECK(probe_glob_matches("librmem.so*", "librmem.so.1"));
    CHECK(probe_glob_matches("*.MTuner", "capture.mtuner"));
    CHECK(probe_glob_matches("?a", "ba"));
    CHECK(probe_glob_matches("*", ""));
    CHECK(!probe_glob_matches("a", "b"));
    CHECK(!probe_glob_matches("librmem_*.so*", "librmem.so"));
    CHECK(!probe_glob_matches("*mtuner*", "libz.so.1"));
}

static void test_start_scan(const char *fixture)
{
    void *handle = dlopen(fixture, RTLD_NOW);
    CHECK(handle != NULL);
    /* the fixture lies outside the system's places: always looked closer at */
    CHECK((scan_with("rule a\nname *nothing-named-so*\n") & PROBE_SCAN_OBJECT) != 0);
    /* unless the gate judged its file whole and found it mapped as judged (the JVM's end): then
       placed as the system's are, its image in memory judged; another file's identity is not it */
    struct stat itself;
    CHECK(stat(fixture, &itself) == 0);
    uint64_t changed = (uint64_t)itself.st_ctim.tv_sec * 1000000000u + (uint64_t)itself.st_ctim.tv_nsec;
    uint64_t judged[] = {(uint64_t)itself.st_dev, (uint64_t)itself.st_ino, changed};
    uint64_t other[] = {(uint64_t)itself.st_dev, (uint64_t)itself.st_ino + 1, changed};
    /* the same device and inode, changed since it was judged: rewritten in place (red team round 20) */
    uint64_t rewritten[] = {(uint64_t)itself.st_dev, (uint64_t)itself.st_ino, changed - 1};
    CHECK((scan_judged("rule a\nname *nothing-named-so*\n", judged, 1) & PROBE_SCAN_OBJECT) == 0);
    CHECK((scan_judged("rule a\nname *nothing-named-so*\n", other, 1) & PROBE_SCAN_OBJECT) != 0);
    CHECK((scan_judged("rule a\nname *nothing-named-so*\n", rewritten, 1) & PROBE_SCAN_OBJECT) != 0);
    CHECK((scan_judged("rule a\nsymbol fixture_answer\n", judged, 1) & PROBE_SCAN_OBJECT) != 0); /* its symbols count */
    CHECK((scan_judged("rule a\nname *probe_fixture*\n", judged, 1) & PROBE_SCAN_OBJECT) != 0); /* and its name */
    CHECK((scan_with("rule a\nname *probe_fixture*\n") & PROBE_SCAN_MAPPING) != 0);
    /* libc is a system object: its name and symbols are what count */
    CHECK((scan_with("rule a\nname libc.so*\n") & PROBE_SCAN_MAPPING) != 0);
    /* a rule's variable */
    /* the guard's own variables: the same live as at start is nothing; set, changed or unset since is a reason */
    const char *own = "own PROFGUARD_C_OWN_*\nown C_OWN_TAG\nrule a\n";
    CHECK((scan_with(own) & PROBE_SCAN_ENVIRONMENT) == 0);
    setenv("PROFGUARD_C_OWN_X", "1", 1);
    CHECK((scan_with(own) & PROBE_SCAN_ENVIRONMENT) != 0);
    CHECK((scan_with("own PROFGUARD_C_OTHER_*\nrule a\n") & PROBE_SCAN_ENVIRONMENT) == 0); /* not named: not compared */
    unsetenv("PROFGUARD_C_OWN_X");
    CHECK((scan_with(own) & PROBE_SCAN_ENVIRONMENT) == 0);
    setenv("C_OWN_TAG", "dev", 1);
    CHECK((scan_with(own) & PROBE_SCAN_ENVIRONMENT) != 0);
    CHECK((scan_with("own C_OWN_TA\nown C_OWN_TAG_LONGER\nrule a\n") & PROBE_SCAN_ENVIRONMENT) == 0); /* whole names */
    unsetenv("C_OWN_TAG");
    CHECK((scan_with("rule a\nvariable PROFGUARD_C_TEST_VARIABLE\n") & PROBE_SCAN_ENVIRONMENT) == 0);
    setenv("PROFGUARD_C_TEST_VARIABLE", "1", 1);
    CHECK((scan_with("rule a\nvariable PROFGUARD_C_TEST_VARIABLE\n") & PROBE_SCAN_ENVIRONMENT) != 0);
    unsetenv("PROFGUARD_C_TEST_VARIABLE");
    /* agents in an options variable: by path or library always, a jar by its name and content */
    setenv("JAVA_TOOL_OPTIONS", "-Xmx1g -javaagent:/nonexistent/agent.jar=x", 1);
    CHECK((scan_with("rule a\nname *mtuner*\n") & PROBE_SCAN_ENVIRONMENT) == 0);
    setenv("JAVA_TOOL_OPTIONS", "-Xmx1g -javaagent:/nonexistent/mtuner.jar", 1);
    CHECK((scan_with("rule a\nname *mtuner*\n") & PROBE_SCAN_ENVIRONMENT) != 0);
    char option[4200];
    snprintf(option, sizeof option, "-javaagent:%s", fixture); /* an ELF object behind a jar option */
    setenv("JAVA_TOOL_OPTIONS", option, 1);
    CHECK((scan_with("rule a\nname *mtuner*\n") & PROBE_SCAN_ENVIRONMENT) != 0);
    setenv("JAVA_TOOL_OPTIONS", "-agentpath:/x/y.so", 1);
    CHECK((scan_with("rule a\nname *mtuner*\n") & PROBE_SCAN_ENVIRONMENT) != 0);
    setenv("JAVA_TOOL_OPTIONS", "-Xmx1g\x1f-agentpath:/x/y.so", 1); /* a separator Java's tokenizer knows */
    CHECK((scan_with("rule a\nname *mtuner*\n") & PROBE_SCAN_ENVIRONMENT) != 0);
    setenv("JAVA_TOOL_OPTIONS", "'-javaagent:/nonexistent/a b.jar'", 1);
    CHECK((scan_with("rule a\nname *mtuner*\n") & PROBE_SCAN_ENVIRONMENT) != 0);
    unsetenv("JAVA_TOOL_OPTIONS");
    setenv("LD_PRELOAD", " : ", 1);
    CHECK((scan_with("rule a\nname *mtuner*\n") & PROBE_SCAN_ENVIRONMENT) == 0);
    setenv("LD_PRELOAD", "libz.so.1", 1);
    CHECK((scan_with("rule a\nname *mtuner*\n") & PROBE_SCAN_ENVIRONMENT) != 0);
    unsetenv("LD_PRELOAD");
    /* an open capture file, by its first bytes and by its name */
    char path[] = "/tmp/profguard-c-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        const char *rules = "rule a\ncapture *.MTuner\nheader 0040010202\n";
        CHECK((scan_with(rules) & PROBE_SCAN_OPEN_FILE) == 0);
        CHECK(write(fd, "\x00\x40\x01\x02\x02rest", 9) == 9);
        CHECK((scan_with(rules) & PROBE_SCAN_OPEN_FILE) != 0);
        CHECK(lseek(fd, 0, SEEK_CUR) == 9); /* read where it lies, the application's offset left where it was */
        close(fd);
        CHECK((scan_with(rules) & PROBE_SCAN_OPEN_FILE) == 0);
        /* a capture file the process holds open for writing only: read through its reopening */
        int writer = open(path, O_WRONLY | O_APPEND);
        CHECK(writer >= 0);
        CHECK((scan_with(rules) & PROBE_SCAN_OPEN_FILE) != 0);
        if (writer >= 0) {
            close(writer);
        }
        unlink(path);
    }
    char named[] = "/tmp/profguard-c-test-XXXXXX.MTuner";
    fd = mkstemps(named, 7);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK((scan_with("rule a\ncapture *.MTuner\n") & PROBE_SCAN_OPEN_FILE) != 0);
        close(fd);
        unlink(named);
    }
    /* a capture file open for writing only, under a write lease held here: it cannot be read now
       (EWOULDBLOCK), so it is looked closer at (red team round 15) */
    char leased[] = "/tmp/profguard-c-test-lease-XXXXXX";
    int made = mkstemp(leased);
    CHECK(made >= 0);
    if (made >= 0) {
        CHECK(write(made, "\x00\x40\x01\x02\x02rest", 9) == 9);
        close(made);
        int writer = open(leased, O_WRONLY);
        void (*previous)(int) = signal(SIGIO, SIG_IGN); /* the lease's break is told to its holder, here */
        int leasing = writer >= 0 ? fcntl(writer, F_SETLEASE, F_WRLCK) : -1;
        CHECK(leasing == 0);
        if (leasing == 0) {
            CHECK((scan_with("rule a\nheader 0040010202\n") & PROBE_SCAN_OPEN_FILE) != 0);
            CHECK(fcntl(writer, F_SETLEASE, F_UNLCK) == 0);
        } else {
            fprintf(stderr, "no write lease: %s\n", strerror(errno));
        }
        signal(SIGIO, previous);
        if (writer >= 0) {
            close(writer);
        }
        unlink(leased);
    }
    /* a FIFO held open is never read, and never blocks the scan */
    char fifo[] = "/tmp/profguard-c-test-fifo";
    unlink(fifo);
    CHECK(mkfifo(fifo, 0600) == 0);
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    CHECK(reader >= 0);
    CHECK((scan_with("rule a\nheader 0040010202\n") & PROBE_SCAN_OPEN_FILE) == 0);
    close(reader);
    unlink(fifo);
    /* the linker's record of the fixture renamed in memory after the C library (l_name, which code
       in the process can rewrite): a system library's name, but not the file mapped where the
       object was loaded, so it is looked closer at (red team round 16) */
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    struct link_map *fixture_map = NULL;
    struct link_map *libc_map = NULL;
    CHECK(handle != NULL && libc != NULL && dlinfo(handle, RTLD_DI_LINKMAP, &fixture_map) == 0
          && dlinfo(libc, RTLD_DI_LINKMAP, &libc_map) == 0 && libc_map->l_name[0] == '/');
    if (fixture_map != NULL && libc_map != NULL) {
        char *own_name = fixture_map->l_name;
        fixture_map->l_name = libc_map->l_name;
        CHECK((scan_with("rule a\nsymbol nothing_defined_here\n") & PROBE_SCAN_OBJECT) != 0);
        fixture_map->l_name = own_name;
    }
    if (libc != NULL) {
        dlclose(libc);
    }
    CHECK(scan_with("rule a\nbogus x\n") == 0xffffffffu);
    CHECK(scan_with("rule a\nsetting =x\n") == 0xffffffffu);
    CHECK(scan_with("rule a\nstrength warn\nrequires libtcmalloc*\nlibrary libnothing-here*.so\n") != 0xffffffffu);
    /* a setting: the variable set at all; an argument: the token by its glob */
    const char *setting = "rule a\nsetting PROFGUARD_C_TEST_CONF=*prof:true*\n";
    CHECK((scan_with(setting) & PROBE_SCAN_ENVIRONMENT) == 0);
    setenv("PROFGUARD_C_TEST_CONF", "narenas:1", 1);
    CHECK((scan_with(setting) & PROBE_SCAN_ENVIRONMENT) != 0);
    unsetenv("PROFGUARD_C_TEST_CONF");
    const char *argument = "rule a\nargument -XX:NativeMemoryTracking=detail\n";
    setenv("JDK_JAVA_OPTIONS", "-XX:NativeMemoryTracking=summary", 1);
    CHECK((scan_with(argument) & PROBE_SCAN_ENVIRONMENT) == 0);
    setenv("JDK_JAVA_OPTIONS", "-Xmx1g -XX:NativeMemoryTracking=detail", 1);
    CHECK((scan_with(argument) & PROBE_SCAN_ENVIRONMENT) != 0);
    unsetenv("JDK_JAVA_OPTIONS");
    if (handle != NULL) {
        dlclose(handle);
    }
}

static void *fake_malloc(size_t bytes)
{
    (void)bytes;
    return NULL;
}

/* The GOT audit: clean as the linker bound it; a slot rewritten in place is named with its target. */
static void test_slot_audit(const char *fixture)
{
    void *handle = dlopen(fixture, RTLD_NOW);
    CHECK(handle != NULL);
    const char *names[] = {"malloc", "free", "fixture_no_such_import"};
    struct probe_buffer out;
    probe_init_buffer(&out, 1 << 16);
    CHECK(probe_audit_slots(fixture, names, 3, &out) == PROBE_OK);
    CHECK(out.size == 0);
    CHECK(probe_audit_slots("/no/such/object.so", names, 3, &out) == PROBE_NOT_LOADED);
    uint64_t slot = 0;
    CHECK(probe_find_slot(fixture, "malloc", &slot) == PROBE_OK && slot != 0);
    CHECK(probe_find_slot(fixture, "fixture_no_such_import", &slot) == PROBE_NO_SYMBOL);
    CHECK(probe_find_slot(fixture, "malloc", &slot) == PROBE_OK);
    long page = sysconf(_SC_PAGESIZE);
    void *start = (void *)(uintptr_t)(slot & ~(uint64_t)(page - 1));
    CHECK(mprotect(start, (size_t)page, PROT_READ | PROT_WRITE) == 0); /* an aligned slot is in one page */
    void *saved;
    memcpy(&saved, (void *)(uintptr_t)slot, sizeof saved);
    void *(*fake)(size_t) = fake_malloc;
    void *patched;
    memcpy(&patched, &fake, sizeof patched);
    memcpy((void *)(uintptr_t)slot, &patched, sizeof patched);
    CHECK(probe_audit_slots(fixture, names, 3, &out) == PROBE_OK);
    uint32_t index = 99, length = 0;
    CHECK(out.size > 8);
    if (out.size > 8) {
        memcpy(&index, out.data, sizeof index);
        memcpy(&length, out.data + 4, sizeof length);
    }
    CHECK(index == 0); /* malloc, pointing into this test program */
    CHECK(out.size == 8 + (size_t)length);
    memcpy((void *)(uintptr_t)slot, &saved, sizeof saved);
    probe_free_buffer(&out);
    probe_init_buffer(&out, 1 << 16);
    CHECK(probe_audit_slots(fixture, names, 3, &out) == PROBE_OK && out.size == 0);
    probe_free_buffer(&out);
    dlclose(handle);
}

/* Allocator controls, read through the mallctl in the global scope (the fixture's); -1 for an unknown one. */
static void test_allocator_controls(const char *fixture)
{
    const char *names[] = {"opt.prof", "prof.active", "x.unknown"};
    signed char values[3];
    void *handle = dlopen(fixture, RTLD_NOW | RTLD_GLOBAL);
    CHECK(handle != NULL);
    CHECK(probe_read_controls(names, 3, values) == PROBE_OK);
    CHECK(values[0] == 1);
    CHECK(values[1] == 0);
    CHECK(values[2] == -1);
    CHECK(probe_read_controls(NULL, 0, values) == PROBE_BAD_INPUT);
    dlclose(handle);
}

/* Maps lines as the kernel writes them parse; anything else is malformed, and random bytes never crash the parser. */
static void test_maps_lines(void)
{
    struct probe_maps_line f;
    CHECK(probe_parse_maps_line("7fa660400000-7fa667eb2000 r--s 00001000 fe:00 328249                     /usr/lib/x86_64-linux-gnu/libz.so.1", &f) == 1);
    CHECK(f.start == 0x7fa660400000ULL && f.offset == 0x1000 && strcmp(f.perms, "r--s") == 0);
    CHECK(strcmp(f.device, "fe:00") == 0 && strcmp(f.inode, "328249") == 0);
    CHECK(strcmp(f.path, "/usr/lib/x86_64-linux-gnu/libz.so.1") == 0);
    CHECK(probe_parse_maps_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0 ", &f) == 1 && strcmp(f.path, "") == 0);
    CHECK(probe_parse_maps_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0", &f) == 1 && strcmp(f.path, "") == 0);
    CHECK(probe_parse_maps_line("1000-2000 r-xp 0 08:01 12 /a path with spaces (deleted)", &f) == 1);
    CHECK(strcmp(f.path, "/a path with spaces (deleted)") == 0);
    const char *malformed[] = {"", "1000-2000", "1000 2000 r-xp 0 08:01 12 /x", "1000-2000 r-x 0 08:01 12 /x",
                               "1000-2000 r-xpp 0 08:01 12 /x", "1000-2000 r-xp 0 08:01 1x2 /x", "1000-2000  r-xp 0 08:01 12 /x",
                               "g000-2000 r-xp 0 08:01 12 /x", "11112222333344445-2000 r-xp 0 08:01 12 /x",
                               "1000-2000 r-xp 0 08:01", "1000-2000 r-xp 0x10 08:01 12 /x",
                               "1000-2000 r-xp 0 0123456789012345678901234567890123:1 12 /x", "-2000 r-xp 0 08:01 12 /x"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        CHECK(probe_parse_maps_line(malformed[i], &f) == 0);
    }
    /* a small fuzz: random lines of the characters a maps line is made of, under ASan/UBSan */
    static const char alphabet[] = "0123456789abcdefx-: /rwxps\\(deleted)";
    char line[96];
    unsigned int seed = 12345;
    for (int round = 0; round < 200000; round++) {
        size_t length = (size_t)(rand_r(&seed) % (int)(sizeof line - 1));
        for (size_t i = 0; i < length; i++) {
            line[i] = alphabet[rand_r(&seed) % (int)(sizeof alphabet - 1)];
        }
        line[length] = '\0';
        if (probe_parse_maps_line(line, &f) == 1) {
            CHECK(strlen(f.perms) == 4 && f.inode[0] != '\0' && f.path >= line && f.path <= line + length);
        }
    }
}

/* Outside a JVM no libjvm.so is loaded: the image is not read, whatever is asked; bad input is said so. */
static void test_image_resource(void)
{
    struct probe_buffer out;
    probe_init_buffer(&out, 1 << 20);
    CHECK(probe_read_image_resource("java.base", "java/lang/Object.class", &out) == PROBE_NOT_LOADED);
    CHECK(out.size == 0);
    CHECK(probe_read_image_resource("", "java/lang/Object.class", &out) == PROBE_BAD_INPUT);
    CHECK(probe_read_image_resource("java.base", NULL, &out) == PROBE_BAD_INPUT);
    probe_free_buffer(&out);
}

/*
 * The load gate's native patch (entry_patch.c) on a class file javac made (PatchTarget): the
 * instance targets patched, the static one not; then every truncation and thousands of random
 * mutations, which must each be patched or declined, never read out of bounds (ASan) nor loop.
 */
static void test_entry_patch(const char *classfile)
{
    struct probe_buffer in;
    probe_init_buffer(&in, 1 << 20);
    int fd = -1;
    CHECK(probe_open_regular(classfile, &fd) == PROBE_OK);
    unsigned char chunk[4096];
    ssize_t got;
    while (fd >= 0 && (got = read(fd, chunk, sizeof chunk)) > 0) {
        CHECK(probe_append_buffer(&in, chunk, (size_t)got) == PROBE_OK);
    }
    if (fd >= 0) {
        close(fd);
    }
    CHECK(in.size > 100);
    const struct probe_entry_target jni = {"loadLibrary", "(Ljava/lang/Class;Ljava/lang/String;", "jni",
                                           "java/lang/ProfguardBridge",
                                           "(Ljava/lang/String;Ljava/lang/Object;Ljava/lang/Class;Ljava/lang/String;)Ljava/lang/Object;"};
    const struct probe_entry_target ffm = {"load", "(Ljava/lang/String;)", "ffm", jni.owner, jni.load_descriptor};
    const struct probe_entry_target none = {"absent", "(", "x", jni.owner, jni.load_descriptor};
    const struct probe_entry_target bad_shape = {"unload", "(", "x", jni.owner, jni.load_descriptor};
    const struct probe_entry_target not_object = {"count", "(Ljava/lang/String;)", "x", jni.owner, jni.load_descriptor};
    struct probe_buffer out;
    probe_init_buffer(&out, 1 << 20);
    int patched = 0;
    CHECK(probe_patch_entry(in.data, in.size, &jni, &out, &patched) == PROBE_OK);
    CHECK(patched == 1); /* the instance method only */
    CHECK(out.size > in.size + 24);
    CHECK(memcmp(out.data, in.data, 8) == 0);
    probe_free_buffer(&out);
    CHECK(probe_patch_entry(in.data, in.size, &ffm, &out, &patched) == PROBE_OK && patched == 1);
    probe_free_buffer(&out);
    CHECK(probe_patch_entry(in.data, in.size, &none, &out, &patched) == PROBE_NO_SYMBOL && out.size == 0);
    /* chosen, but (Object) is neither (Class, String, ...) nor (String); and an int is not an object */
    CHECK(probe_patch_entry(in.data, in.size, &bad_shape, &out, &patched) == PROBE_BAD_INPUT && out.size == 0);
    CHECK(probe_patch_entry(in.data, in.size, &not_object, &out, &patched) == PROBE_BAD_INPUT && out.size == 0);
    CHECK(probe_patch_entry(NULL, 0, &jni, &out, &patched) == PROBE_BAD_INPUT);

    for (size_t length = 0; length < in.size; length++) {
        unsigned char *copy = malloc(length + 1); /* exactly length bytes readable (ASan) */
        CHECK(copy != NULL);
        if (copy == NULL) {
            break;
        }
        memcpy(copy, in.data, length);
        int status = probe_patch_entry(copy, length, &jni, &out, &patched);
        CHECK(status == PROBE_BAD_INPUT || status == PROBE_OK || status == PROBE_NO_SYMBOL);
        probe_free_buffer(&out);
        free(copy);
    }
    unsigned int seed = 7;
    unsigned char *mutated = malloc(in.size);
    CHECK(mutated != NULL);
    for (int i = 0; mutated != NULL && i < 20000; i++) {
        memcpy(mutated, in.data, in.size);
        for (int flips = 1 + (int)(rand_r(&seed) % 3); flips > 0; flips--) {
            mutated[(size_t)rand_r(&seed) % in.size] = (unsigned char)rand_r(&seed);
        }
        int status = probe_patch_entry(mutated, in.size, (i & 1) ? &jni : &ffm, &out, &patched);
        CHECK(status == PROBE_BAD_INPUT || status == PROBE_OK || status == PROBE_NO_SYMBOL);
        CHECK(status == PROBE_OK || out.size == 0);
        probe_free_buffer(&out);
    }
    free(mutated);
    probe_free_buffer(&in);
}

/* What test_mappings collects from one reader: the file mappings, their names as the text shows them. */
struct collected_mappings {
    size_t count;
    struct probe_mapping items[4096];
    char names[4096][300];
};

static void collect_mapping(void *context, const struct probe_mapping *mapping)
{
    struct collected_mappings *all = context;
    if (mapping->path[0] != '/' || all->count == 4096) {
        return;
    }
    char *name = all->names[all->count];
    size_t at = 0;
    for (const char *c = mapping->path; *c != '\0' && at + 5 < sizeof all->names[0]; c++) {
        if (*c == '\n') { /* as the text escapes it */
            memcpy(name + at, "\\012", 4);
            at += 4;
        } else {
            name[at++] = *c;
        }
    }
    name[at] = '\0';
    all->items[all->count] = *mapping;
    all->items[all->count].path = name;
    all->count++;
}

/*
 * The mappings through PROCMAP_QUERY and through the maps text are the same, with code mapped
 * from a file the linker never loaded, a mapped file since deleted and a name with a newline.
 */
static void test_mappings(void)
{
    char code[] = "/tmp/profguard-c-test-code-XXXXXX";
    char gone[] = "/tmp/profguard-c-test-gone-XXXXXX";
    char odd[] = "/tmp/profguard-c-test-odd\nname";
    int fds[3] = {mkstemp(code), mkstemp(gone), open(odd, O_RDWR | O_CREAT | O_TRUNC, 0600)};
    void *maps[3] = {MAP_FAILED, MAP_FAILED, MAP_FAILED};
    for (int i = 0; i < 3; i++) {
        CHECK(fds[i] >= 0 && ftruncate(fds[i], 4096) == 0);
        maps[i] = fds[i] < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | (i == 0 ? PROT_EXEC : 0), MAP_PRIVATE, fds[i], 0);
        CHECK(maps[i] != MAP_FAILED);
    }
    unlink(gone);
    static struct collected_mappings text;
    static struct collected_mappings query;
    text.count = query.count = 0;
    int malformed = -1;
    int queried = probe_read_mappings(1, collect_mapping, &query, &malformed);
    CHECK(probe_read_mappings(0, collect_mapping, &text, &malformed) == PROBE_OK && malformed == 0);
    CHECK(queried == PROBE_OK || queried == PROBE_UNAVAILABLE);
    if (queried == PROBE_UNAVAILABLE) {
        printf("PROCMAP_QUERY not answered by this kernel: the maps text only\n");
    } else {
        CHECK(query.count == text.count && text.count > 3);
        for (size_t i = 0; i < text.count && i < query.count; i++) {
            const struct probe_mapping *a = &text.items[i];
            const struct probe_mapping *b = &query.items[i];
            CHECK(a->start == b->start && a->offset == b->offset && a->executable == b->executable && a->device == b->device
                  && a->inode == b->inode && strcmp(a->path, b->path) == 0);
        }
    }
    int seen = 0;
    for (size_t i = 0; i < text.count; i++) {
        seen |= (strcmp(text.names[i], code) == 0 && text.items[i].executable) ? 1 : 0;
        seen |= (strstr(text.names[i], "profguard-c-test-gone-") != NULL && strstr(text.names[i], " (deleted)") != NULL) ? 2 : 0;
        seen |= strcmp(text.names[i], "/tmp/profguard-c-test-odd\\012name") == 0 ? 4 : 0;
    }
    CHECK(seen == 7);
    for (int i = 0; i < 3; i++) {
        if (maps[i] != MAP_FAILED) {
            munmap(maps[i], 4096);
        }
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    unlink(code);
    unlink(odd);
}

/* probe_real_path answers as realpath does: links followed, ".." resolved, nothing for a name that is not there. */
static void test_real_path(const char *fixture)
{
    char dir[] = "/tmp/profguard-c-test-real-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sub[PATH_MAX], file[PATH_MAX], link1[PATH_MAX], link2[PATH_MAX], dotted[PATH_MAX], fifo[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(file, sizeof file, "%s/sub/file", dir);
    snprintf(link1, sizeof link1, "%s/one", dir);
    snprintf(link2, sizeof link2, "%s/sub/two", dir);
    snprintf(dotted, sizeof dotted, "%s/sub/../one", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    CHECK(mkdir(sub, 0700) == 0);
    int made = open(file, O_WRONLY | O_CREAT, 0600);
    CHECK(made >= 0);
    if (made >= 0) {
        close(made);
    }
    CHECK(symlink("sub/two", link1) == 0 && symlink("file", link2) == 0 && mkfifo(fifo, 0600) == 0);
    const char *paths[] = {"/", "/proc/self/exe", fixture, dir, sub, file, link1, link2, dotted, fifo, "/tmp/../tmp/.",
                           "/no/such/file", "relative-no-such"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char expected[PATH_MAX];
        char got[PATH_MAX];
        int by_libc = realpath(paths[i], expected) != NULL;
        int by_kernel = probe_real_path(paths[i], got);
        CHECK(by_libc == by_kernel);
        if (by_libc && by_kernel && strcmp(expected, got) != 0) {
            fprintf(stderr, "real path of %s: %s, realpath %s\n", paths[i], got, expected);
            failures++;
        }
    }
    unlink(fifo);
    unlink(link2);
    unlink(link1);
    unlink(file);
    rmdir(sub);
    rmdir(dir);
}

static int collect_base(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    uint64_t *bases = data;
    if (bases[0] < 60) {
        bases[1 + bases[0]++] = (uint64_t)info->dlpi_addr;
    }
    return 0;
}

/*
 * probe_object_spans reads many objects in two calls and answers for each as probe_object_span
 * does alone: around unreadable headers (the short read's fallback), an ELF header whose program
 * header table is unreadable, a page that is no ELF header, 0, and more bases than one batch holds.
 */
/* The file the kernel maps for a name: the same device and inode as stat(2) gives here (ext4); never a non-regular file's. */
static void test_mapped_file(const char *fixture)
{
    struct stat itself;
    CHECK(stat(fixture, &itself) == 0);
    unsigned long long device = 0;
    unsigned long long inode = 0;
    CHECK(probe_mapped_file(fixture, &device, &inode) == PROBE_OK);
    CHECK(inode == (unsigned long long)itself.st_ino);
    CHECK(device == ((unsigned long long)major(itself.st_dev) << 32 | minor(itself.st_dev)));
    CHECK(probe_mapped_file("/dev/null", &device, &inode) != PROBE_OK);
    CHECK(probe_mapped_file("/nonexistent/libnothing.so", &device, &inode) != PROBE_OK);
    CHECK(probe_mapped_file("/tmp", &device, &inode) != PROBE_OK);
}

static void test_object_spans(void)
{
    uint64_t listed[61] = {0};
    dl_iterate_phdr(collect_base, listed);
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *pages = mmap(NULL, (size_t)page * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pages != MAP_FAILED);
    if (pages == MAP_FAILED) {
        return;
    }
    /* page 0: an ELF header whose table is in page 1, made unreadable; page 2: not an ELF header */
    ElfW(Ehdr) *fake = (ElfW(Ehdr) *)(void *)pages;
    memcpy(fake->e_ident, ELFMAG, SELFMAG);
    fake->e_phentsize = sizeof(ElfW(Phdr));
    fake->e_phnum = 4;
    fake->e_phoff = (ElfW(Off))page;
    memset(pages + 2 * page, 0x41, (size_t)page);
    CHECK(mprotect(pages + page, (size_t)page, PROT_NONE) == 0);
    uint64_t bases[200];
    size_t count = 0;
    int rounds = 0;
    for (; count < PROBE_MAX_REGIONS + 16; rounds++) { /* rounds past one batch (PROBE_MAX_REGIONS) */
        for (uint64_t i = 0; i < listed[0] && count < 190; i++) {
            bases[count++] = listed[1 + i];
            if (i % 3 == 1) {
                bases[count++] = (uint64_t)(uintptr_t)(pages + page); /* unreadable */
            }
        }
        bases[count++] = (uint64_t)(uintptr_t)pages;
        bases[count++] = (uint64_t)(uintptr_t)(pages + 2 * page);
        bases[count++] = 0;
    }
    CHECK(count > PROBE_MAX_REGIONS);
    uint64_t starts[200], ends[200];
    int status[200];
    probe_object_spans(bases, count, starts, ends, status);
    int spans = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t start = 1;
        uint64_t end = 1;
        int alone = probe_object_span(bases[i], &start, &end);
        CHECK(alone == status[i] && start == starts[i] && end == ends[i]);
        if (bases[i] == (uint64_t)(uintptr_t)pages) {
            CHECK(status[i] == PROBE_UNAVAILABLE);
        } else if (bases[i] == 0 || bases[i] == (uint64_t)(uintptr_t)(pages + page)
                   || bases[i] == (uint64_t)(uintptr_t)(pages + 2 * page)) {
            CHECK(status[i] == PROBE_NOT_LOADED && starts[i] == 0 && ends[i] == 0);
        } else if (status[i] == PROBE_OK) {
            spans++;
            CHECK(starts[i] <= bases[i] && ends[i] > bases[i]);
        }
    }
    CHECK(spans >= 3 * rounds); /* at least this program, libc and the linker, each round */
    munmap(pages, (size_t)page * 3);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s libprobe_fixture.so PatchTarget.class\n", argv[0]);
        return 2;
    }
    test_buffer_bounds();
    test_image_resource();
    test_maps_lines();
    test_mappings();
    test_real_path(argv[1]);
    test_object_spans();
    test_objects_and_changes(argv[1]);
    test_symbols(argv[1]);
    test_listed_symbols(argv[1]);
    test_lying_program_headers(argv[1]);
    test_record_claiming_unreadable_memory(argv[1]);
    test_hash_table_made_unreadable_while_read(argv[1]);
    test_bloom_filter(argv[1]);
    test_mapped_file(argv[1]);
    test_capture_name_at_end();
    test_record_pointing_at_unreadable_memory(argv[1]);
    test_shutdown(argv[1]);
    test_marks(argv[1]);
    test_environ();
    test_open_regular(argv[1]);
    test_shutdown_at(argv[1]);
    test_self();
    test_provider_of_a_global_symbol(argv[1]);
    test_main_program_symbols();
    test_start_rules_parsing();
    test_globs();
    test_start_scan(argv[1]);
    test_slot_audit(argv[1]);
    test_allocator_controls(argv[1]);
    test_entry_patch(argv[2]);
    printf("probe C tests: %d passed, %d failed\n", passes, failures);
    return failures == 0 ? 0 : 1;
}
