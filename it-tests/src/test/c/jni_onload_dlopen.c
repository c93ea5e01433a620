/*
 * A JNI library whose JNI_OnLoad dlopen()s $ONLOAD_DLOPEN before returning: a client brought in by
 * a library the gate let through. The gate must look at what the load mapped as soon as it returns.
 * No jni.h: JNI_OnLoad's signature is plain C, and 0x00010008 is JNI_VERSION_1_8.
 */
#include <dlfcn.h>
#include <stdlib.h>

__attribute__((visibility("default"))) int JNI_OnLoad(void *vm, void *reserved)
{
    (void)vm;
    (void)reserved;
    const char *path = getenv("ONLOAD_DLOPEN");
    if (path != NULL) {
        dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    }
    return 0x00010008;
}
