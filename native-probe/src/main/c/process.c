#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"

static int probe_open_checked(int dir, const char *path, int *fd, int blocking)
{
    *fd = -1;
    if (path == NULL || path[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOCTTY: a terminal never becomes ours. */
    int opened = openat(dir, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (opened < 0) {
        return errno == ENOENT || errno == ENOTDIR ? PROBE_NOT_LOADED : PROBE_UNAVAILABLE;
    }
    struct stat status;
    if (fstat(opened, &status) != 0 || !S_ISREG(status.st_mode)) {
        close(opened);
        return PROBE_NOT_REGULAR;
    }
    /* Reads of a regular file never block; clear O_NONBLOCK all the same (a FUSE file may heed it). */
    int flags = blocking ? fcntl(opened, F_GETFL) : -1;
    if (flags >= 0) {
        (void)fcntl(opened, F_SETFL, flags & ~O_NONBLOCK);
    }
    *fd = opened;
    return PROBE_OK;
}

int probe_open_regular(const char *path, int *fd)
{
    return probe_open_checked(AT_FDCWD, path, fd, 1);
}

int probe_open_regular_at(int dir, const char *name, int *fd)
{
    return probe_open_checked(dir, name, fd, 1);
}

int probe_open_proc(const char *path, int *fd)
{
    return probe_open_checked(AT_FDCWD, path, fd, 0);
}

int probe_kernel_path(int fds, int opened, char *real)
{
    char link[32];
    snprintf(link, sizeof link, fds >= 0 ? "%d" : "/proc/self/fd/%d", opened);
    ssize_t length = readlinkat(fds >= 0 ? fds : AT_FDCWD, link, real, PATH_MAX);
    static const char deleted[] = " (deleted)";
    if (length > 0 && length < PATH_MAX && real[0] == '/') {
        real[length] = '\0';
        return (size_t)length < sizeof deleted - 1 || strcmp(real + length - (sizeof deleted - 1), deleted) != 0;
    }
    return 0;
}

int probe_real_path(const char *path, char *real)
{
    int opened = open(path, O_PATH | O_CLOEXEC);
    if (opened >= 0) {
        int named = probe_kernel_path(-1, opened, real);
        close(opened);
        if (named) {
            return 1;
        }
    }
    return realpath(path, real) != NULL;
}

int probe_close_file(int fd)
{
    return fd >= 0 && close(fd) == 0 ? PROBE_OK : PROBE_BAD_INPUT;
}

int probe_find_self(struct probe_buffer *out, uint64_t *base)
{
    Dl_info info;
    struct link_map *map = NULL;
    *base = 0;
    if (dladdr1((void *)&probe_find_self, &info, (void **)&map, RTLD_DL_LINKMAP) == 0
        || info.dli_fname == NULL || map == NULL) {
        return PROBE_UNAVAILABLE;
    }
    *base = (uint64_t)map->l_addr;
    return probe_append_buffer(out, info.dli_fname, strnlen(info.dli_fname, 65536));
}

void probe_end_process(int status)
{
    /* _exit, not exit: no atexit handler and no shared-library destructor runs, so a profiler
       client's exit-time flush never happens (shared/docs/mtuner-client.md). */
    _exit(status);
}

long probe_read_head(const char *path, unsigned char *into, size_t capacity)
{
    int fd = -1;
    /* probe_open_regular opens with O_NONBLOCK: under a lease, EWOULDBLOCK at once */
    int status = probe_open_regular(path, &fd);
    if (status == PROBE_UNAVAILABLE && (errno == EWOULDBLOCK || errno == EAGAIN)) {
        return -(long)PROBE_BUSY;
    }
    if (status != PROBE_OK) {
        return -(long)status;
    }
    ssize_t got = pread(fd, into, capacity, 0);
    close(fd);
    return got < 0 ? -(long)PROBE_UNAVAILABLE : (long)got;
}
