#define _GNU_SOURCE
#include <link.h>
#include <stddef.h>
#include <string.h>

#include "probe.h"

struct probe_list_state {
    struct probe_buffer *out;
    int status;
};

static int probe_add_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct probe_list_state *state = data;
    (void)size;
    uint64_t base = (uint64_t)info->dlpi_addr;
    uint64_t zero_fill = 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        if (phdr->p_type == PT_LOAD && phdr->p_memsz > phdr->p_filesz
            && phdr->p_memsz - phdr->p_filesz > zero_fill) {
            zero_fill = phdr->p_memsz - phdr->p_filesz;
        }
    }
    const char *name = info->dlpi_name == NULL ? "" : info->dlpi_name;
    uint32_t length = (uint32_t)strnlen(name, 65536);
    int status = probe_append_buffer(state->out, &base, sizeof base);
    if (status == PROBE_OK) {
        status = probe_append_buffer(state->out, &zero_fill, sizeof zero_fill);
    }
    if (status == PROBE_OK) {
        status = probe_append_buffer(state->out, &length, sizeof length);
    }
    if (status == PROBE_OK) {
        status = probe_append_buffer(state->out, name, length);
    }
    state->status = status;
    return status == PROBE_OK ? 0 : 1;
}

int probe_list_objects(struct probe_buffer *out)
{
    struct probe_list_state state = {out, PROBE_OK};
    dl_iterate_phdr(probe_add_object, &state);
    return state.status;
}

static int probe_read_counts(struct dl_phdr_info *info, size_t size, void *data)
{
    uint64_t *out = data;
    /* dlpi_adds and dlpi_subs exist since glibc 2.4; size says whether this one has them. */
    if (size < offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
        return -1;
    }
    *out = (uint64_t)info->dlpi_adds + (uint64_t)info->dlpi_subs;
    return 1;
}

int probe_count_changes(uint64_t *out)
{
    *out = 0;
    int result = dl_iterate_phdr(probe_read_counts, out);
    return result == 1 ? PROBE_OK : PROBE_UNAVAILABLE;
}
