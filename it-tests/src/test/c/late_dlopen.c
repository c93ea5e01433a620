/*
 * A benign library that, once loaded, has a native thread dlopen() another library later: the way
 * native code can load a profiler client behind the Java load gate's back. The library comes from
 * LATE_DLOPEN; the thread waits until the file LATE_DLOPEN_TRIGGER exists (the test application
 * creates it in main, so the load always comes after start-up), at most 60 s.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct late_dlopen_job {
    const char *library;
    const char *trigger;
};

static struct late_dlopen_job late_dlopen_job;

static void *late_dlopen_run(void *data)
{
    struct late_dlopen_job *job = data;
    struct timespec pause = {0, 20 * 1000000L};
    for (int waited = 0; waited < 3000 && access(job->trigger, F_OK) != 0; waited++) {
        nanosleep(&pause, NULL);
    }
    dlopen(job->library, RTLD_NOW | RTLD_LOCAL);
    return NULL;
}

__attribute__((constructor)) static void late_dlopen_start(void)
{
    late_dlopen_job.library = getenv("LATE_DLOPEN");
    late_dlopen_job.trigger = getenv("LATE_DLOPEN_TRIGGER");
    pthread_t thread;
    if (late_dlopen_job.library != NULL && late_dlopen_job.trigger != NULL
        && pthread_create(&thread, NULL, late_dlopen_run, &late_dlopen_job) == 0) {
        pthread_detach(thread);
    }
}
