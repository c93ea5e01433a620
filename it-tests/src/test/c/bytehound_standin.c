/*
 * A stand-in for bytehound's libbytehound.so (not packaged for Debian): its exported C API, as
 * koute/bytehound declares it in preload/src/api.rs (memory_profiler_start, _stop, _sync,
 * _set_marker, _override_next_timestamp, _raw_mmap, _raw_munmap). Records nothing; _stop writes
 * STANDIN_STOPPED_FILE when set, so a test can see that the switch-off called it.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

API void memory_profiler_start(void) {}
API void memory_profiler_sync(void) {}
API void memory_profiler_set_marker(uint32_t value) { (void)value; }
API void memory_profiler_override_next_timestamp(uint64_t timestamp) { (void)timestamp; }

API void memory_profiler_stop(void)
{
    const char *file = getenv("STANDIN_STOPPED_FILE");
    if (file != NULL) {
        int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            close(fd);
        }
    }
}

API void *memory_profiler_raw_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    return mmap(addr, length, prot, flags, fd, offset);
}

API int memory_profiler_raw_munmap(void *addr, size_t length)
{
    return munmap(addr, length);
}
