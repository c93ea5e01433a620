/*
 * A stand-in for MTuner's client (the rmem SDK) for profguard's tests, written from the facts in
 * shared/docs/mtuner-client.md, not from upstream code. Like the real client it exports rmem's C
 * API, starts from a priority-101 constructor, interposes malloc/free/calloc/realloc when
 * preloaded, records every heap call into a buffer that it appends, lazily, to
 * mtuner_capture_<time>.MTuner in the working directory, and closes that file in rmemShutDown().
 *
 * Like the real client it buffers its records and writes them only at a full buffer or when it
 * is flushed: by rmemShutDown(), or by its destructor when the process exits (so a JVM that ends
 * normally gets a capture file even if none existed while it ran). STANDIN_BUFFER_BYTES sets the
 * buffer (default 64 KiB, at most 4 MiB, the real client's default).
 *
 * Build variants (see build.sh): -DSTANDIN_WIPE_MARKS (with -DSTANDIN_HIDDEN) overwrites the marks
 * in its loaded memory once it has named its capture file, so only its file still carries them; -DSTANDIN_HIDDEN gives the API hidden visibility (a client whose
 * symbols are not exported) and, like the real client's default build, a ~1.6 GB zero-filled
 * .bss (-DSTANDIN_SMALL_POOL: 4 KiB); -DSTANDIN_SELF_DELETE makes the library unlink its own file
 * once it is mapped.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef STANDIN_HIDDEN
#define RMEM_API __attribute__((visibility("hidden")))
#else
#define RMEM_API __attribute__((visibility("default")))
#endif

/* glibc's own allocator entry points: no dlsym, so no allocation while resolving them. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

#define STANDIN_BUFFER (4 * 1024 * 1024)
#define STANDIN_DEFAULT_FLUSH (64 * 1024)
#define STANDIN_PATH 256

struct standin_hook {
    int fd;
    size_t used;
    char path[STANDIN_PATH];
    unsigned char buffer[STANDIN_BUFFER];
};

static struct standin_hook standin_storage;
static struct standin_hook *volatile standin_hook; /* null: every report is a no-op */
static size_t standin_flush_at = STANDIN_DEFAULT_FLUSH;
static pthread_mutex_t standin_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int standin_busy __attribute__((tls_model("initial-exec")));

/* Kept in the read-only data of every variant, as in the real client: read through volatile
   pointers, so that the compiler cannot turn them into immediate stores. */
static const char standin_prefix_text[] = "mtuner_capture_";
static const char standin_suffix_text[] = ".MTuner";
static const char *volatile standin_prefix = standin_prefix_text;
static const char *volatile standin_suffix = standin_suffix_text;

static void standin_write_all(int fd, const void *data, size_t size)
{
    const unsigned char *at = data;
    while (size > 0) {
        ssize_t n = write(fd, at, size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        at += n;
        size -= (size_t)n;
    }
}

/* Lock held. Opens the capture file at the first flush, as the real client does. */
static void standin_flush(struct standin_hook *hook)
{
    if (hook->used == 0) {
        return;
    }
    if (hook->fd < 0) {
        hook->fd = open(hook->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (hook->fd < 0) {
            hook->used = 0;
            return;
        }
        /* endianness, pointer size, version 1.2, toolchain gcc, 64-bit CPU frequency */
        static const unsigned char header[] = {0x00, 0x40, 0x01, 0x02, 0x02,
                                               0x40, 0x42, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00};
        standin_write_all(hook->fd, header, sizeof header);
    }
    standin_write_all(hook->fd, hook->buffer, hook->used);
    hook->used = 0;
}

static void standin_record(unsigned char type, const void *ptr, uint64_t size)
{
    if (standin_hook == NULL || standin_busy) {
        return;
    }
    standin_busy = 1;
    pthread_mutex_lock(&standin_lock);
    struct standin_hook *hook = standin_hook;
    if (hook != NULL) {
        uint64_t address = (uint64_t)(uintptr_t)ptr;
        hook->buffer[hook->used++] = type;
        memcpy(hook->buffer + hook->used, &address, sizeof address);
        hook->used += sizeof address;
        memcpy(hook->buffer + hook->used, &size, sizeof size);
        hook->used += sizeof size;
        if (hook->used > standin_flush_at - 32) {
            standin_flush(hook);
        }
    }
    pthread_mutex_unlock(&standin_lock);
    standin_busy = 0;
}

RMEM_API void rmemInit(const char *rootPathOverride)
{
    pthread_mutex_lock(&standin_lock);
    if (standin_hook == NULL) {
        struct standin_hook *hook = &standin_storage;
        size_t at = 0;
        if (rootPathOverride != NULL) {
            size_t n = strnlen(rootPathOverride, STANDIN_PATH - 64);
            memcpy(hook->path, rootPathOverride, n);
            at = n;
        }
        memcpy(hook->path + at, standin_prefix, sizeof standin_prefix_text - 1);
        at += sizeof standin_prefix_text - 1;
        char digits[24];
        int count = 0;
        unsigned long long now = (unsigned long long)time(NULL);
        do {
            digits[count++] = (char)('0' + now % 10);
            now /= 10;
        } while (now > 0 && count < (int)sizeof digits);
        while (count > 0) {
            hook->path[at++] = digits[--count];
        }
        memcpy(hook->path + at, standin_suffix, sizeof standin_suffix_text);
        hook->fd = -1;
        hook->used = 0;
        standin_hook = hook;
    }
    pthread_mutex_unlock(&standin_lock);
}

RMEM_API void rmemShutDown(void)
{
#ifdef STANDIN_HANG_SHUTDOWN
    for (;;) { /* a switch-off that never returns */
        pause();
    }
#endif
    pthread_mutex_lock(&standin_lock);
    struct standin_hook *hook = standin_hook;
    if (hook != NULL) {
        standin_flush(hook);
        if (hook->fd >= 0) {
            close(hook->fd);
            hook->fd = -1;
        }
        standin_hook = NULL;
    }
    pthread_mutex_unlock(&standin_lock);
}

RMEM_API void rmemStartCapture(const char *rootPathOverride) { rmemInit(rootPathOverride); }
RMEM_API void rmemAlloc(uint64_t handle, void *ptr, uint32_t size, uint32_t overhead)
{
    (void)handle;
    standin_record('A', ptr, (uint64_t)size + overhead);
}
RMEM_API void rmemRealloc(uint64_t handle, void *ptr, uint32_t size, uint32_t overhead, void *prev)
{
    (void)handle;
    (void)prev;
    standin_record('R', ptr, (uint64_t)size + overhead);
}
RMEM_API void rmemFree(uint64_t handle, void *ptr)
{
    (void)handle;
    standin_record('F', ptr, 0);
}
RMEM_API void rmemAllocAligned(uint64_t handle, void *ptr, uint32_t size, uint32_t overhead, uint32_t alignment)
{
    (void)alignment;
    rmemAlloc(handle, ptr, size, overhead);
}
RMEM_API void rmemReallocAligned(uint64_t handle, void *ptr, uint32_t size, uint32_t overhead, void *prev,
                                 uint32_t alignment)
{
    (void)alignment;
    rmemRealloc(handle, ptr, size, overhead, prev);
}
RMEM_API void rmemRegisterTag(const char *name, const char *parentName) { (void)name; (void)parentName; }
RMEM_API void rmemEnterTag(uint32_t tag) { (void)tag; }
RMEM_API void rmemLeaveTag(uint32_t tag) { (void)tag; }
RMEM_API void rmemRegisterMarker(const char *name, uint32_t color) { (void)name; (void)color; }
RMEM_API void rmemSetMarker(uint32_t marker) { (void)marker; }
RMEM_API void rmemRegisterAllocator(const char *name, uint64_t handle) { (void)name; (void)handle; }
RMEM_API void rmemAddModuleC(const char *name, uint64_t base, uint32_t size) { (void)name; (void)base; (void)size; }
RMEM_API void rmemRemoveModuleC(const char *name, uint64_t base, uint32_t size) { (void)name; (void)base; (void)size; }

/* Interposition: effective when this library is preloaded (or linked first). */
void *malloc(size_t size)
{
    void *ptr = __libc_malloc(size);
    standin_record('A', ptr, size);
    return ptr;
}

void *calloc(size_t count, size_t size)
{
    void *ptr = __libc_calloc(count, size);
    standin_record('A', ptr, (uint64_t)count * size);
    return ptr;
}

void *realloc(void *ptr, size_t size)
{
    void *moved = __libc_realloc(ptr, size);
    standin_record('R', moved, size);
    return moved;
}

void free(void *ptr)
{
    if (ptr != NULL) {
        standin_record('F', ptr, 0);
    }
    __libc_free(ptr);
}

#ifdef STANDIN_HIDDEN
/* The real client's static buffers: 1,644,167,604 bytes of .bss with its default configuration;
   -DSTANDIN_SMALL_POOL: 4 KiB, a client built small (no zero-fill to give it away). */
#ifdef STANDIN_SMALL_POOL
static unsigned char standin_pool[4096];
#else
static unsigned char standin_pool[1644167604];
#endif
RMEM_API unsigned char *standin_pool_at(size_t offset) { return standin_pool + offset; }
#endif

#ifdef STANDIN_WIPE_MARKS
#include <sys/mman.h>
/* Makes the page(s) of a read-only string writable for a moment and zeroes the string. */
static void standin_wipe(const void *at, size_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)at & ~((uintptr_t)page - 1);
    size_t length = (size_t)((uintptr_t)at + size - start);
    if (mprotect((void *)start, length, PROT_READ | PROT_WRITE) == 0) {
        memset((void *)at, 0, size);
        mprotect((void *)start, length, PROT_READ);
    }
}
#endif

__attribute__((constructor(101))) static void standin_start(void)
{
    /* Tests prove a load was blocked by the absence of this marker: the constructor never ran. */
    const char *marker = getenv("STANDIN_MARKER_FILE");
    if (marker != NULL) {
        int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
            close(fd);
        }
    }
    const char *buffer = getenv("STANDIN_BUFFER_BYTES");
    if (buffer != NULL) {
        long bytes = strtol(buffer, NULL, 10);
        if (bytes >= 1024 && bytes <= STANDIN_BUFFER) {
            standin_flush_at = (size_t)bytes;
        }
    }
    rmemInit(NULL);
#ifdef STANDIN_HIDDEN
    standin_pool_at(0)[0] = 1;
#endif
#ifdef STANDIN_WIPE_MARKS
    standin_wipe((const void *)standin_prefix_text, sizeof standin_prefix_text);
    standin_wipe((const void *)standin_suffix_text, sizeof standin_suffix_text);
#endif
#ifdef STANDIN_SELF_DELETE
    Dl_info self;
    if (dladdr((void *)&standin_start, &self) != 0 && self.dli_fname != NULL) {
        unlink(self.dli_fname);
    }
#endif
}

/* As the real client does at exit: whatever is still buffered reaches the capture file. */
__attribute__((destructor)) static void standin_stop(void)
{
    pthread_mutex_lock(&standin_lock);
    struct standin_hook *hook = standin_hook;
    if (hook != NULL) {
        standin_flush(hook);
    }
    pthread_mutex_unlock(&standin_lock);
}

#ifdef STANDIN_HIDE_ITERATION
/* Interposes dl_iterate_phdr (when preloaded) and leaves itself out of what it reports: a client
   hiding from whoever asks the dynamic linker through that function. */
struct standin_hide {
    int (*callback)(struct dl_phdr_info *, size_t, void *);
    void *data;
};

static int standin_skip_self(struct dl_phdr_info *info, size_t size, void *data)
{
    struct standin_hide *hide = data;
    Dl_info self;
    if (dladdr((void *)&standin_skip_self, &self) != 0 && info->dlpi_name != NULL && self.dli_fname != NULL
        && strcmp(info->dlpi_name, self.dli_fname) == 0) {
        return 0;
    }
    return hide->callback(info, size, hide->data);
}

int dl_iterate_phdr(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data)
{
    int (*real)(int (*)(struct dl_phdr_info *, size_t, void *), void *);
    void *found = dlsym(RTLD_NEXT, "dl_iterate_phdr");
    memcpy(&real, &found, sizeof real);
    struct standin_hide hide = {callback, data};
    return real == NULL ? 0 : real(standin_skip_self, &hide);
}
#endif

#ifdef STANDIN_AGENT
/* Built as a JVMTI agent too (-agentpath): the JVM calls this before any Java agent's premain. */
__attribute__((visibility("default"))) int Agent_OnLoad(void *vm, char *options, void *reserved)
{
    (void)vm;
    (void)options;
    (void)reserved;
    return 0;
}
#endif
