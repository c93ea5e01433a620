/*
 * Resources of the runtime image the JVM runs from (HOME/lib/modules), read through the JDK's own
 * libjimage, the library the JVM loaded to define the boot loader's classes from that file. The
 * gate's two JDK classes are read here in microseconds; asking the JVM for them instead (a
 * retransformation) costs a VM operation and a call into Java per class, about 2 ms before main.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

/* libjimage's interface (jimage.hpp, JDK 9 onwards): JImageFile is opaque, locations are jlong. */
typedef struct probe_jimage_file probe_jimage_file;
typedef probe_jimage_file *(*probe_jimage_open_t)(const char *name, int32_t *error);
typedef void (*probe_jimage_close_t)(probe_jimage_file *image);
typedef int64_t (*probe_jimage_find_t)(probe_jimage_file *image, const char *module, const char *version,
                                       const char *name, int64_t *size);
typedef int64_t (*probe_jimage_get_t)(probe_jimage_file *image, int64_t location, char *buffer, int64_t size);

/* The first object the linker lists named libjvm.so (outside a JVM), copied without allocating. */
struct probe_jvm_search {
    char name[PATH_MAX];
    int found;
};

static int probe_find_libjvm(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct probe_jvm_search *search = data;
    char name[PATH_MAX];
    if (info->dlpi_name == NULL || probe_read_string((uint64_t)(uintptr_t)info->dlpi_name, name, sizeof name) != PROBE_OK) {
        return 0; /* read through process_vm_readv, never in place */
    }
    const char *slash = strrchr(name, '/');
    size_t length = strlen(name);
    if (slash != NULL && strcmp(slash, "/libjvm.so") == 0 && length < sizeof search->name) {
        memcpy(search->name, name, length + 1);
        search->found = 1;
        return 1;
    }
    return 0;
}

/*
 * The JVM's own libjvm.so, known by what it is: the object that holds the code of a function the
 * JVM handed the probe (JNI_OnLoad's JavaVM), not the first object named libjvm.so, which a
 * preloaded library of that name would be (red team, round 6). Set once, before any other call.
 */
static char probe_known_libjvm[PATH_MAX];

void probe_set_libjvm(const void *code)
{
    Dl_info info;
    if (code != NULL && dladdr(code, &info) != 0 && info.dli_fname != NULL && info.dli_fname[0] == '/'
        && strlen(info.dli_fname) < sizeof probe_known_libjvm) {
        strcpy(probe_known_libjvm, info.dli_fname);
    }
}

int probe_libjvm(char *path, size_t capacity)
{
    const char *name = probe_known_libjvm;
    struct probe_jvm_search search;
    if (name[0] == '\0') { /* outside a JVM (the C tests): by name */
        search.found = 0;
        dl_iterate_phdr(probe_find_libjvm, &search);
        if (!search.found) {
            return PROBE_NOT_LOADED;
        }
        name = search.name;
    }
    if (strlen(name) >= capacity) {
        return PROBE_TOO_LARGE;
    }
    strcpy(path, name);
    return PROBE_OK;
}

int probe_jdk_lib(char *lib, size_t capacity)
{
    char libjvm[PATH_MAX];
    int found = probe_libjvm(libjvm, sizeof libjvm);
    if (found != PROBE_OK) {
        return found;
    }
    char real[PATH_MAX];
    if (!probe_real_path(libjvm, real)) {
        return PROBE_UNAVAILABLE;
    }
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(real, '/');
        if (slash == NULL || slash == real) {
            return PROBE_UNAVAILABLE;
        }
        *slash = '\0';
    }
    if (strlen(real) >= capacity) {
        return PROBE_TOO_LARGE;
    }
    strcpy(lib, real);
    return PROBE_OK;
}

int probe_read_image_resource(const char *module, const char *name, struct probe_buffer *out)
{
    if (module == NULL || name == NULL || module[0] == '\0' || name[0] == '\0') {
        return PROBE_BAD_INPUT;
    }
    char lib[PATH_MAX];
    int status = probe_jdk_lib(lib, sizeof lib - sizeof "/libjimage.so");
    if (status != PROBE_OK) {
        return status;
    }
    char library[PATH_MAX];
    char modules[PATH_MAX];
    strcpy(library, lib);
    strcat(library, "/libjimage.so");
    strcpy(modules, lib);
    strcat(modules, "/modules");
    /* RTLD_NOLOAD: only the libjimage the JVM itself loaded from that directory, never a new one. */
    void *handle = dlopen(library, RTLD_NOW | RTLD_NOLOAD);
    if (handle == NULL) {
        return PROBE_NOT_LOADED;
    }
    probe_jimage_open_t open_image = (probe_jimage_open_t)dlsym(handle, "JIMAGE_Open");
    probe_jimage_close_t close_image = (probe_jimage_close_t)dlsym(handle, "JIMAGE_Close");
    probe_jimage_find_t find = (probe_jimage_find_t)dlsym(handle, "JIMAGE_FindResource");
    probe_jimage_get_t get = (probe_jimage_get_t)dlsym(handle, "JIMAGE_GetResource");
    if (open_image == NULL || close_image == NULL || find == NULL || get == NULL) {
        dlclose(handle);
        return PROBE_NO_SYMBOL;
    }
    int32_t error = 0;
    probe_jimage_file *image = open_image(modules, &error);
    if (image == NULL) {
        dlclose(handle);
        return PROBE_UNAVAILABLE;
    }
    int64_t size = 0;
    /* The version argument is not used by libjimage to find a resource; "0.0" as for any release. */
    int64_t location = find(image, module, "0.0", name, &size);
    if (location == 0) {
        status = PROBE_NOT_LOADED;
    } else if (size <= 0 || (uint64_t)size > out->limit) {
        status = PROBE_TOO_LARGE;
    } else if ((status = probe_reserve_buffer(out, (size_t)size)) == PROBE_OK) {
        int64_t got = get(image, location, (char *)out->data, size);
        if (got == size) {
            out->size = (size_t)size;
        } else {
            status = PROBE_UNAVAILABLE;
        }
    }
    close_image(image);
    dlclose(handle);
    return status;
}
