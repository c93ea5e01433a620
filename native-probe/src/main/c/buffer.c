#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "probe.h"

void probe_init_buffer(struct probe_buffer *buffer, size_t limit)
{
    buffer->data = NULL;
    buffer->size = 0;
    buffer->capacity = 0;
    buffer->limit = limit;
}

int probe_append_buffer(struct probe_buffer *buffer, const void *bytes, size_t count)
{
    if (count > buffer->limit - buffer->size) {
        return PROBE_TOO_LARGE;
    }
    if (buffer->size + count > buffer->capacity) {
        size_t capacity = buffer->capacity == 0 ? 4096 : buffer->capacity;
        while (capacity < buffer->size + count) {
            capacity *= 2;
        }
        if (capacity > buffer->limit) {
            capacity = buffer->limit;
        }
        unsigned char *grown = realloc(buffer->data, capacity);
        if (grown == NULL) {
            return PROBE_NO_MEMORY;
        }
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    if (count > 0) {
        memcpy(buffer->data + buffer->size, bytes, count);
        buffer->size += count;
    }
    return PROBE_OK;
}

int probe_reserve_buffer(struct probe_buffer *buffer, size_t capacity)
{
    if (capacity > buffer->limit) {
        capacity = buffer->limit;
    }
    if (capacity <= buffer->capacity) {
        return PROBE_OK;
    }
    unsigned char *grown = realloc(buffer->data, capacity);
    if (grown == NULL) {
        return PROBE_NO_MEMORY;
    }
    buffer->data = grown;
    buffer->capacity = capacity;
    return PROBE_OK;
}

int probe_append_reserved(struct probe_buffer *buffer, const void *bytes, size_t count)
{
    if (count > buffer->capacity - buffer->size) {
        return PROBE_TOO_LARGE;
    }
    if (count > 0) {
        memcpy(buffer->data + buffer->size, bytes, count);
        buffer->size += count;
    }
    return PROBE_OK;
}

void probe_free_buffer(struct probe_buffer *buffer)
{
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
    buffer->capacity = 0;
}
