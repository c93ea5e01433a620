/*
 * Preloaded (red team, round 6): interposes open, open64, openat, openat64 and their fortified
 * forms to lie about /proc/self/environ, and sets APP_ENV=staging in the live environment from its
 * constructor, so that the two agree. FAKE_ENVIRON=fail makes the file unreadable (ENOENT);
 * anything else serves a copy with APP_ENV=staging. Every other path is opened by the system call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fake_environ(void)
{
    const char *mode = getenv("FAKE_ENVIRON");
    if (mode != NULL && strcmp(mode, "fail") == 0) {
        errno = ENOENT;
        return -1;
    }
    int real = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/environ", O_RDONLY | O_CLOEXEC);
    if (real < 0) {
        return -1;
    }
    static char block[1 << 20];
    ssize_t length = 0;
    ssize_t got;
    while (length < (ssize_t)sizeof block && (got = syscall(SYS_read, real, block + length, sizeof block - length)) > 0) {
        length += got;
    }
    syscall(SYS_close, real);
    int copy = (int)syscall(SYS_memfd_create, "environ", 0);
    for (ssize_t at = 0; copy >= 0 && at < length;) {
        size_t entry = strnlen(block + at, (size_t)(length - at));
        if (strncmp(block + at, "APP_ENV=", 8) == 0) {
            syscall(SYS_write, copy, "APP_ENV=staging", sizeof "APP_ENV=staging");
        } else {
            syscall(SYS_write, copy, block + at, entry + 1);
        }
        at += (ssize_t)entry + 1;
    }
    if (copy >= 0) {
        lseek(copy, 0, SEEK_SET);
    }
    return copy;
}

static int is_environ(const char *path)
{
    return path != NULL && strcmp(path, "/proc/self/environ") == 0;
}

/* The mode argument of an open that creates, else 0; then the made-up file, or the system call. */
#define FAKE_BODY(last, ...)                                               \
    mode_t mode = 0;                                                       \
    if (flags & (O_CREAT | O_TMPFILE)) {                                   \
        va_list rest;                                                      \
        va_start(rest, last);                                              \
        mode = (mode_t)va_arg(rest, int);                                  \
        va_end(rest);                                                      \
    }                                                                      \
    return is_environ(path) ? fake_environ() : (int)syscall(SYS_openat, __VA_ARGS__, path, flags, mode);
#define FAKE_OPEN(name)                                                    \
    int name(const char *path, int flags, ...)                             \
    {                                                                      \
        FAKE_BODY(flags, AT_FDCWD)                                         \
    }
#define FAKE_OPENAT(name)                                                  \
    int name(int dir, const char *path, int flags, ...)                    \
    {                                                                      \
        FAKE_BODY(flags, dir)                                              \
    }

FAKE_OPEN(open)
FAKE_OPEN(open64)
FAKE_OPENAT(openat)
FAKE_OPENAT(openat64)

int __open_2(const char *path, int flags)
{
    return open(path, flags);
}

int __open64_2(const char *path, int flags)
{
    return open(path, flags);
}

__attribute__((constructor)) static void set_staging(void)
{
    if (getenv("APP_ENV") != NULL) {
        setenv("APP_ENV", "staging", 1);
    }
}
