#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "probe.h"

/*
 * jemalloc's boolean controls (opt.prof, prof.active), asked of the allocator itself through
 * mallctl(3): the one answer that covers every way of switching its profiler on (MALLOC_CONF, a
 * malloc_conf symbol compiled into a program or library, /etc/malloc.conf). Both the plain and
 * the Rust (tikv-jemallocator, _rjem_) names are asked when the global scope exports them.
 */

typedef int (*probe_mallctl)(const char *, void *, size_t *, void *, size_t);

static const char *const probe_mallctl_names[] = {"mallctl", "_rjem_mallctl"};

int probe_read_controls(const char *const *names, size_t count, signed char *values)
{
    if (names == NULL || values == NULL) {
        return PROBE_BAD_INPUT;
    }
    memset(values, -1, count);
    for (size_t f = 0; f < sizeof probe_mallctl_names / sizeof probe_mallctl_names[0]; f++) {
        void *symbol = dlsym(RTLD_DEFAULT, probe_mallctl_names[f]);
        if (symbol == NULL) {
            continue;
        }
        probe_mallctl control;
        memcpy(&control, &symbol, sizeof control); /* object pointer to function pointer */
        for (size_t i = 0; i < count; i++) {
            bool value = false;
            size_t size = sizeof value;
            if (names[i] != NULL && control(names[i], &value, &size, NULL, 0) == 0 && size == sizeof value
                && values[i] != 1) {
                values[i] = value ? 1 : 0;
            }
        }
    }
    return PROBE_OK;
}
