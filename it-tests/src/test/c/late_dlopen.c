/*
 * A benign library that, once loaded, has a native thread dlopen() another library later: the way
 * native code can load a profiler client behind the Java load gate's back. The library comes from
 * LATE_DLOPEN; the thread waits until the file LATE_DLOPEN_TRIGGER exists (the test application
 * creates it in main, so the load always comes after start-up), at most 60 s.
 * LATE_DLOPEN_NAMESPACE=new opens it with dlmopen(LM_ID_NEWLM) instead, in a link-map namespace of
 * its own that dl_iterate_phdr does not list. LATE_RECORD=1 then has the thread call the client's
 * rmemAlloc for 6 s, and LATE_REINIT_MS=N calls its rmemInit again N ms after the load: a client
 * switched off and started again. LATE_REUSE_FROM=CLIENT loads LATE_DLOPEN (a benign library),
 * unloads it after 800 ms, rewrites that same file in place (same inode) with CLIENT's bytes, and
 * loads it again: another object under a name, address and inode the watcher already knows.
 * LATE_HIDE_WITH=BENIGN loads BENIGN first; 1.5 s later it loads LATE_DLOPEN and unloads BENIGN in
 * one go, then puts the dynamic linker's add counter (in _rtld_global, found by its value) back,
 * so that dl_iterate_phdr's dlpi_adds and dlpi_subs read as before: the way a red-team round hid a
 * client from a watcher that looks only when the counter moves.
 * LATE_BORROW_NAME=PATH (with LATE_DLOPEN_NAMESPACE=new) gives the client the name of a library the
 * linker lists, PATH: it moves PATH aside, copies the client to PATH, opens it there, and puts PATH
 * back, so that the client's mappings read "PATH (deleted)" beside the listed library's "PATH" (red
 * team, round 11). LATE_DLOPEN_TRIGGER=now does all this in the constructor, before the JVM starts.
 * LATE_DECOY_PAGE=1 first maps one page of LATE_DLOPEN at file offset 0x1000 below everything else:
 * the file's lowest mapping then holds no ELF header (red team, round 12). LATE_BORROW_INODE=VICTIM
 * (a benign library at least as large as the client) writes the client's bytes over VICTIM in place
 * (same inode), opens it with dlmopen, makes every page of that mapping private, writes VICTIM's
 * own bytes back, fills the free space above the client so that the next load lands below it,
 * opens VICTIM itself with dlopen and frees that space again: the client's code runs from a
 * mapping of the device, inode and name of a library the linker lists, mapped below it (round 12).
 * LATE_UNLOAD=1 (with LATE_RECORD=1): a burst of records, then rmemShutDown() (its capture file
 * written and closed) and dlclose(): nothing of the client loaded or open after (round 19).
 * LATE_COVER_WITH=DIR (with LATE_DLOPEN_NAMESPACE=new): once the client is open, DIR is
 * bind-mounted over the client's directory, so that its name stands for DIR's file of that name
 * (the same inode number on another device: red team, round 20). Needs a mount namespace of its own.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct late_dlopen_job {
    const char *library;
    const char *trigger;
};

static struct late_dlopen_job late_dlopen_job;

/* Rewrites target in place (O_TRUNC keeps its inode) with the bytes of source. */
static void late_rewrite(const char *target, const char *source)
{
    int in = open(source, O_RDONLY | O_CLOEXEC);
    int out = open(target, O_WRONLY | O_TRUNC | O_CLOEXEC);
    char buffer[65536];
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, buffer, sizeof buffer)) > 0) {
        if (write(out, buffer, (size_t)n) != n) {
            break;
        }
    }
    if (in >= 0) {
        close(in);
    }
    if (out >= 0) {
        close(out);
    }
}

static int late_read_counts(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    unsigned long long *counts = data;
    counts[0] = info->dlpi_adds;
    counts[1] = info->dlpi_subs;
    return 1;
}

/* Loads library and unloads old, then resets the linker's add counter to what it read before. */
static void *late_swap_hidden(const char *library, void *old)
{
    unsigned long long before[2] = {0, 0};
    unsigned long long after[2] = {0, 0};
    dl_iterate_phdr(late_read_counts, before);
    unsigned long long *global = dlsym(RTLD_DEFAULT, "_rtld_global");
    unsigned long long *candidates[16];
    int found = 0;
    for (int i = 0; global != NULL && i < 4096 / 8 && found < 16; i++) {
        if (global[i] == before[0]) {
            candidates[found++] = &global[i];
        }
    }
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    dlclose(old);
    dl_iterate_phdr(late_read_counts, after);
    for (int i = found - 1; i >= 0; i--) {
        if (*candidates[i] == after[0]) {
            *candidates[i] = before[0];
            break;
        }
    }
    return handle;
}

/* Copies source over target (a new file at target's name). */
static int late_copy(const char *source, const char *target)
{
    int in = open(source, O_RDONLY | O_CLOEXEC);
    int out = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    int status = in >= 0 && out >= 0 ? 0 : -1;
    char buffer[65536];
    ssize_t n;
    while (status == 0 && (n = read(in, buffer, sizeof buffer)) > 0) {
        status = write(out, buffer, (size_t)n) == n ? 0 : -1;
    }
    if (in >= 0) {
        close(in);
    }
    if (out >= 0) {
        close(out);
    }
    return status;
}

/* The client opened under borrowed's name (see LATE_BORROW_NAME); its handle, or NULL. */
static void *late_borrow(const char *client, const char *borrowed)
{
    char aside[4096];
    if (strlen(borrowed) + 6 > sizeof aside) {
        return NULL;
    }
    strcpy(aside, borrowed);
    strcat(aside, ".orig");
    if (rename(borrowed, aside) != 0 || late_copy(client, borrowed) != 0) {
        return NULL;
    }
    void *handle = dlmopen(LM_ID_NEWLM, borrowed, RTLD_NOW | RTLD_LOCAL);
    rename(aside, borrowed);
    return handle;
}

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* One page of path at file offset 0x1000, mapped read-only at the lowest free place it can have. */
static void late_decoy_page(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    for (unsigned long at = 0x10000000UL; fd >= 0 && at < 0x7f0000000000UL; at += 0x10000000UL) {
        void *page = mmap((void *)at, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0x1000);
        if (page == (void *)at) {
            break;
        }
        if (page != MAP_FAILED) {
            munmap(page, 4096);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* A whole file read into memory (malloc'd), its length in *length; NULL when it cannot be read. */
static char *late_slurp(const char *path, size_t *length)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat status;
    char *bytes = NULL;
    *length = 0;
    if (fd >= 0 && fstat(fd, &status) == 0 && status.st_size > 0 && (bytes = malloc((size_t)status.st_size)) != NULL) {
        while (*length < (size_t)status.st_size) {
            ssize_t n = read(fd, bytes + *length, (size_t)status.st_size - *length);
            if (n <= 0) {
                break;
            }
            *length += (size_t)n;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return bytes;
}

/* Writes bytes over the start of path in place (its inode kept). */
static int late_put(const char *path, const char *bytes, size_t length)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t done = 0;
    while (fd >= 0 && done < length) {
        ssize_t n = pwrite(fd, bytes + done, length - done, (off_t)done);
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    if (fd >= 0) {
        close(fd);
    }
    return done == length ? 0 : -1;
}

/* Every page in [low, high) made private (copy on write): writable for a moment, touched, put back. */
static void late_privatize(unsigned long low, unsigned long high)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL) {
        unsigned long start;
        unsigned long end;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3 || end <= low || start >= high) {
            continue;
        }
        int prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) | (perms[2] == 'x' ? PROT_EXEC : 0);
        if (mprotect((void *)start, end - start, prot | PROT_READ | PROT_WRITE) == 0) {
            for (unsigned long page = start; page < end; page += 4096) {
                volatile char *c = (volatile char *)page;
                *c = *c;
            }
            mprotect((void *)start, end - start, prot);
        }
    }
    if (maps != NULL) {
        fclose(maps);
    }
}

#define LATE_MAX_FILLS 4096
static unsigned long late_fill_at[LATE_MAX_FILLS];
static unsigned long late_fill_length[LATE_MAX_FILLS];
static int late_fills;

/* Every free gap above low (below the stack) reserved PROT_NONE, so that the next load lands below low. */
static void late_fill_above(unsigned long low)
{
    static unsigned long gap_start[LATE_MAX_FILLS];
    static unsigned long gap_end[LATE_MAX_FILLS];
    int gaps = 0;
    unsigned long previous = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL && strstr(line, "[stack]") == NULL) {
        unsigned long start;
        unsigned long end;
        if (sscanf(line, "%lx-%lx", &start, &end) != 2) {
            continue;
        }
        if (previous >= low && start > previous && gaps < LATE_MAX_FILLS) {
            gap_start[gaps] = previous;
            gap_end[gaps] = start;
            gaps++;
        }
        previous = end;
    }
    if (maps != NULL) {
        fclose(maps);
    }
    for (int i = 0; i < gaps && late_fills < LATE_MAX_FILLS; i++) {
        void *p = mmap((void *)gap_start[i], gap_end[i] - gap_start[i], PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == (void *)gap_start[i]) {
            late_fill_at[late_fills] = gap_start[i];
            late_fill_length[late_fills] = gap_end[i] - gap_start[i];
            late_fills++;
        } else if (p != MAP_FAILED) {
            munmap(p, gap_end[i] - gap_start[i]);
        }
    }
}

/* The client opened from victim's inode (see LATE_BORROW_INODE); its handle, or NULL. */
static void *late_borrow_inode(const char *client, const char *victim)
{
    size_t victim_length;
    size_t client_length;
    char *own = late_slurp(victim, &victim_length);
    char *bytes = late_slurp(client, &client_length);
    void *handle = NULL;
    if (own != NULL && bytes != NULL && client_length <= victim_length && late_put(victim, bytes, client_length) == 0) {
        handle = dlmopen(LM_ID_NEWLM, victim, RTLD_NOW | RTLD_LOCAL);
        struct link_map *map = NULL;
        if (handle != NULL && dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != NULL) {
            const ElfW(Ehdr) *header = (const ElfW(Ehdr) *)(const void *)bytes;
            const ElfW(Phdr) *phdrs = (const ElfW(Phdr) *)(const void *)(bytes + header->e_phoff);
            unsigned long span = 0;
            for (int i = 0; i < header->e_phnum; i++) {
                if (phdrs[i].p_type == PT_LOAD && phdrs[i].p_vaddr + phdrs[i].p_memsz > span) {
                    span = phdrs[i].p_vaddr + phdrs[i].p_memsz;
                }
            }
            late_privatize(map->l_addr, map->l_addr + span);
            late_put(victim, own, victim_length);
            late_fill_above(map->l_addr);
            dlopen(victim, RTLD_NOW | RTLD_LOCAL); /* the victim itself, below the client */
            for (int i = 0; i < late_fills; i++) {
                munmap((void *)late_fill_at[i], late_fill_length[i]);
            }
        } else {
            late_put(victim, own, victim_length);
        }
    }
    free(own);
    free(bytes);
    return handle;
}

static void *late_dlopen_run(void *data)
{
    struct late_dlopen_job *job = data;
    struct timespec pause = {0, 20 * 1000000L};
    for (int waited = 0; waited < 3000 && strcmp(job->trigger, "now") != 0 && access(job->trigger, F_OK) != 0; waited++) {
        nanosleep(&pause, NULL);
    }
    const char *reuse = getenv("LATE_REUSE_FROM");
    if (reuse != NULL) {
        void *first = dlopen(job->library, RTLD_NOW | RTLD_LOCAL);
        struct timespec settle = {0, 800 * 1000000L};
        nanosleep(&settle, NULL);
        if (first != NULL) {
            dlclose(first);
        }
        late_rewrite(job->library, reuse);
    }
    const char *hide = getenv("LATE_HIDE_WITH");
    if (hide != NULL) {
        void *benign = dlopen(hide, RTLD_NOW | RTLD_LOCAL);
        struct timespec settle = {1, 500 * 1000000L};
        nanosleep(&settle, NULL);
        if (benign != NULL) {
            late_swap_hidden(job->library, benign);
        }
        return NULL;
    }
    const char *namespace = getenv("LATE_DLOPEN_NAMESPACE");
    const char *borrow = getenv("LATE_BORROW_NAME");
    const char *inode = getenv("LATE_BORROW_INODE");
    if (getenv("LATE_DECOY_PAGE") != NULL) {
        late_decoy_page(job->library);
    }
    void *handle = inode != NULL ? late_borrow_inode(job->library, inode)
                   : borrow != NULL ? late_borrow(job->library, borrow)
                   : namespace != NULL && namespace[0] == 'n' ? dlmopen(LM_ID_NEWLM, job->library, RTLD_NOW | RTLD_LOCAL)
                   : dlopen(job->library, RTLD_NOW | RTLD_LOCAL);
    const char *cover = getenv("LATE_COVER_WITH");
    if (handle != NULL && cover != NULL) {
        char directory[4096];
        const char *slash = strrchr(job->library, '/');
        if (slash != NULL && (size_t)(slash - job->library) < sizeof directory) {
            memcpy(directory, job->library, (size_t)(slash - job->library));
            directory[slash - job->library] = '\0';
            if (mount(cover, directory, NULL, MS_BIND, NULL) != 0) {
                perror("late_dlopen: mount");
            }
        }
    }
    if (handle == NULL || getenv("LATE_RECORD") == NULL) {
        return NULL;
    }
    void (*alloc)(unsigned long long, void *, unsigned int, unsigned int);
    void (*init)(const char *);
    void *found = dlsym(handle, "rmemAlloc");
    memcpy(&alloc, &found, sizeof alloc);
    found = dlsym(handle, "rmemInit");
    memcpy(&init, &found, sizeof init);
    if (getenv("LATE_UNLOAD") != NULL) { /* a burst, then its capture written and closed, and the client gone */
        void (*shutdown)(void);
        found = dlsym(handle, "rmemShutDown");
        memcpy(&shutdown, &found, sizeof shutdown);
        for (int i = 0; i < 2000 && alloc != NULL; i++) {
            alloc(0, (void *)(unsigned long)(0x1000 + i * 64), 64, 0);
        }
        if (shutdown != NULL) {
            shutdown();
        }
        dlclose(handle);
        return NULL;
    }
    const char *reinit = getenv("LATE_REINIT_MS");
    long reinit_at = reinit == NULL ? -1 : atol(reinit) / 20;
    for (long tick = 0; tick < 300 && alloc != NULL; tick++) { /* 6 s, every 20 ms */
        for (int i = 0; i < 400; i++) {
            alloc(0, (void *)(unsigned long)(tick * 1000 + i), 64, 0);
        }
        if (tick == reinit_at && init != NULL) {
            init(NULL);
        }
        nanosleep(&pause, NULL);
    }
    return NULL;
}

__attribute__((constructor)) static void late_dlopen_start(void)
{
    late_dlopen_job.library = getenv("LATE_DLOPEN");
    late_dlopen_job.trigger = getenv("LATE_DLOPEN_TRIGGER");
    pthread_t thread;
    if (late_dlopen_job.library != NULL && late_dlopen_job.trigger != NULL && strcmp(late_dlopen_job.trigger, "now") == 0) {
        late_dlopen_run(&late_dlopen_job); /* before the JVM: there when the agent starts */
    } else if (late_dlopen_job.library != NULL && late_dlopen_job.trigger != NULL
        && pthread_create(&thread, NULL, late_dlopen_run, &late_dlopen_job) == 0) {
        pthread_detach(thread);
    }
}
