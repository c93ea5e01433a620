#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <string.h>

#include "probe.h"

/* Whether addr lies in the object whose link map is owner (not in one of its dependencies). */
static int probe_owns_address(const struct link_map *owner, void *addr)
{
    Dl_info info;
    struct link_map *map = NULL;
    if (addr == NULL || dladdr1(addr, &info, (void **)&map, RTLD_DL_LINKMAP) == 0) {
        return 0;
    }
    return map == owner;
}

int probe_find_symbols(const char *path, const char *const *names, size_t count, unsigned char *defined)
{
    if (path == NULL || path[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    /* RTLD_NOLOAD: only an object already loaded under that name; the file is not reopened,
       so a library deleted from disk since it was loaded is still found. */
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL) {
        return PROBE_NOT_LOADED;
    }
    struct link_map *owner = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &owner) != 0 || owner == NULL) {
        dlclose(handle);
        return PROBE_UNAVAILABLE;
    }
    for (size_t i = 0; i < count; i++) {
        /* dlsym searches the object and its dependencies: keep only its own definitions. */
        defined[i] = (unsigned char)(names[i] != NULL && probe_owns_address(owner, dlsym(handle, names[i])));
    }
    dlclose(handle);
    return PROBE_OK;
}

int probe_find_provider(const char *name, struct probe_buffer *out)
{
    void *addr = dlsym(RTLD_DEFAULT, name);
    Dl_info info;
    if (addr == NULL || dladdr(addr, &info) == 0 || info.dli_fname == NULL) {
        return PROBE_NO_SYMBOL;
    }
    return probe_append_buffer(out, info.dli_fname, strnlen(info.dli_fname, 65536));
}

int probe_call_shutdown(const char *path, const char *symbol)
{
    if (path == NULL || path[0] == '\0' || symbol == NULL || symbol[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (handle == NULL) {
        return PROBE_NOT_LOADED;
    }
    struct link_map *owner = NULL;
    void *function = dlsym(handle, symbol);
    int status = PROBE_NO_SYMBOL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &owner) == 0 && owner != NULL && probe_owns_address(owner, function)) {
        void (*shutdown)(void);
        memcpy(&shutdown, &function, sizeof shutdown); /* object pointer to function pointer */
        shutdown();
        status = PROBE_OK;
    }
    dlclose(handle);
    return status;
}
