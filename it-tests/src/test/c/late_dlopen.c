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
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
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
    void *handle = borrow != NULL ? late_borrow(job->library, borrow)
                   : namespace != NULL && namespace[0] == 'n' ? dlmopen(LM_ID_NEWLM, job->library, RTLD_NOW | RTLD_LOCAL)
                   : dlopen(job->library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL || getenv("LATE_RECORD") == NULL) {
        return NULL;
    }
    void (*alloc)(unsigned long long, void *, unsigned int, unsigned int);
    void (*init)(const char *);
    void *found = dlsym(handle, "rmemAlloc");
    memcpy(&alloc, &found, sizeof alloc);
    found = dlsym(handle, "rmemInit");
    memcpy(&init, &found, sizeof init);
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
