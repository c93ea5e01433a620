#define _GNU_SOURCE
#include <string.h>

#include "probe.h"

extern char **environ;

int probe_copy_environ(struct probe_buffer *out)
{
    static const char separator = '\0';
    if (environ == NULL) {
        return PROBE_OK;
    }
    for (char **entry = environ; *entry != NULL; entry++) {
        int status = probe_append_buffer(out, *entry, strnlen(*entry, 1 << 20));
        if (status == PROBE_OK) {
            status = probe_append_buffer(out, &separator, 1);
        }
        if (status != PROBE_OK) {
            return status;
        }
    }
    return PROBE_OK;
}
