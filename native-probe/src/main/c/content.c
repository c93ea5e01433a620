#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

#define PROBE_CHUNK (64 * 1024)
#define PROBE_MAX_PATTERN 256
#define PROBE_MAX_SCAN ((uint64_t)256 << 20)

struct probe_marks_state {
    const char *path;
    const unsigned char *const *patterns;
    const size_t *lengths;
    size_t count;
    unsigned char *found;
    unsigned char *window; /* PROBE_CHUNK + PROBE_MAX_PATTERN bytes, owned by the caller */
    int status;
    int matched_object;
};

/*
 * This process's id, asked of the kernel once (getpid is a system call since glibc 2.25, and a
 * scan reads memory a few dozen times) and asked again in a child after fork.
 */
static pid_t probe_own_pid;
static pthread_once_t probe_pid_once = PTHREAD_ONCE_INIT;

static void probe_forget_pid(void)
{
    __atomic_store_n(&probe_own_pid, 0, __ATOMIC_RELAXED);
}

static void probe_watch_forks(void)
{
    pthread_atfork(NULL, NULL, probe_forget_pid);
}

static long probe_pid(void)
{
    pthread_once(&probe_pid_once, probe_watch_forks);
    pid_t pid = __atomic_load_n(&probe_own_pid, __ATOMIC_RELAXED);
    if (pid == 0) {
        /* the system call itself, not libc's wrapper, which a preloaded library could interpose */
        pid = (pid_t)syscall(SYS_getpid);
        __atomic_store_n(&probe_own_pid, pid, __ATOMIC_RELAXED);
    }
    return (long)pid;
}

/* Copies memory of this process without risking a fault: a bad page is an error return. */
int probe_read_memory(uintptr_t address, unsigned char *into, size_t length)
{
    struct iovec local = {into, length};
    struct iovec remote = {(void *)address, length};
    /* the system call itself, not libc's wrapper, which a preloaded library could interpose */
    long got = syscall(SYS_process_vm_readv, probe_pid(), &local, 1L, &remote, 1L, 0L);
    return got == (long)length ? PROBE_OK : PROBE_UNAVAILABLE;
}

void probe_read_regions(const uintptr_t *addresses, unsigned char *const *into, const size_t *lengths, size_t count,
                        int *read)
{
    struct iovec local[PROBE_MAX_REGIONS];
    struct iovec remote[PROBE_MAX_REGIONS];
    for (size_t i = 0; i < count && i < PROBE_MAX_REGIONS; i++) {
        local[i].iov_base = into[i];
        local[i].iov_len = lengths[i];
        remote[i].iov_base = (void *)addresses[i];
        remote[i].iov_len = lengths[i];
    }
    long got = count == 0 || count > PROBE_MAX_REGIONS ? -1
               : syscall(SYS_process_vm_readv, probe_pid(), local, (unsigned long)count, remote, (unsigned long)count, 0L);
    /* a short read stops at the first region that fails: those before it are whole, the rest read one by one */
    size_t done = got < 0 ? 0 : (size_t)got;
    for (size_t i = 0; i < count; i++) {
        if (done >= lengths[i]) {
            read[i] = 1;
            done -= lengths[i];
        } else {
            done = 0; /* the short read ended in this region: it and every one after, alone */
            read[i] = probe_read_memory(addresses[i], into[i], lengths[i]) == PROBE_OK;
        }
    }
}

int probe_read_string(uint64_t address, char *into, size_t capacity)
{
    /* at once when the whole buffer is readable, else byte by byte up to the NUL (the end of a mapping) */
    if (probe_read_memory((uintptr_t)address, (unsigned char *)into, capacity) == PROBE_OK) {
        return memchr(into, '\0', capacity) != NULL ? PROBE_OK : PROBE_TOO_LARGE;
    }
    for (size_t i = 0; i < capacity; i++) {
        if (probe_read_memory((uintptr_t)(address + i), (unsigned char *)&into[i], 1) != PROBE_OK) {
            return PROBE_UNAVAILABLE;
        }
        if (into[i] == '\0') {
            return PROBE_OK;
        }
    }
    return PROBE_TOO_LARGE;
}

static void probe_scan_range(struct probe_marks_state *state, uintptr_t start, uint64_t length, uint64_t *budget)
{
    unsigned char *window = state->window;
    size_t carried = 0;
    for (uint64_t offset = 0; offset < length && *budget > 0; offset += PROBE_CHUNK) {
        size_t piece = (size_t)(length - offset < PROBE_CHUNK ? length - offset : PROBE_CHUNK);
        if (probe_read_memory(start + offset, window + carried, piece) != PROBE_OK) {
            state->status = PROBE_UNAVAILABLE;
            return;
        }
        size_t available = carried + piece;
        for (size_t i = 0; i < state->count; i++) {
            if (!state->found[i] && memmem(window, available, state->patterns[i], state->lengths[i]) != NULL) {
                state->found[i] = 1;
            }
        }
        /* keep the tail, so that a pattern split across two chunks is still seen */
        carried = available < PROBE_MAX_PATTERN ? available : PROBE_MAX_PATTERN;
        memmove(window, window + available - carried, carried);
        *budget = *budget > piece ? *budget - piece : 0;
    }
    if (*budget == 0) {
        state->status = PROBE_TOO_LARGE;
    }
}

static int probe_scan_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct probe_marks_state *state = data;
    (void)size;
    ElfW(Phdr) phdrs[128];
    int named = 0;
    size_t count = probe_copy_record(info, state->path, phdrs, sizeof phdrs / sizeof phdrs[0], &named);
    if (!named) {
        return 0;
    }
    state->matched_object = 1;
    if (count == 0 && info->dlpi_phnum > 0) {
        state->status = PROBE_UNAVAILABLE; /* its headers cannot be read: no answer */
        return 1;
    }
    uint64_t budget = PROBE_MAX_SCAN;
    for (size_t i = 0; i < count && state->status == PROBE_OK; i++) {
        const ElfW(Phdr) *phdr = &phdrs[i];
        /* Only the part backed by the file: the zero-fill can be 1.6 GB and reading it would
           commit that memory. */
        if (phdr->p_type == PT_LOAD && (phdr->p_flags & PF_R) != 0 && phdr->p_filesz > 0) {
            probe_scan_range(state, (uintptr_t)(info->dlpi_addr + phdr->p_vaddr), phdr->p_filesz, &budget);
        }
    }
    return 1;
}

int probe_find_marks(const char *path, const unsigned char *const *patterns, const size_t *lengths,
                     size_t count, unsigned char *found)
{
    if (path == NULL || path[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    for (size_t i = 0; i < count; i++) {
        if (patterns[i] == NULL || lengths[i] == 0 || lengths[i] > PROBE_MAX_PATTERN) {
            return PROBE_BAD_INPUT;
        }
        found[i] = 0;
    }
    unsigned char *window = malloc(PROBE_CHUNK + PROBE_MAX_PATTERN);
    if (window == NULL) {
        return PROBE_NO_MEMORY;
    }
    struct probe_marks_state state = {path, patterns, lengths, count, found, window, PROBE_OK, 0};
    dl_iterate_phdr(probe_scan_object, &state);
    free(window);
    if (!state.matched_object) {
        return PROBE_NOT_LOADED;
    }
    return state.status;
}
