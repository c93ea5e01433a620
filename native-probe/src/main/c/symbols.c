#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <string.h>

#include "probe.h"

int probe_find_provider(const char *name, struct probe_buffer *out)
{
    void *addr = dlsym(RTLD_DEFAULT, name);
    Dl_info info;
    if (addr == NULL || dladdr(addr, &info) == 0 || info.dli_fname == NULL) {
        return PROBE_NO_SYMBOL;
    }
    return probe_append_buffer(out, info.dli_fname, strnlen(info.dli_fname, 65536));
}
