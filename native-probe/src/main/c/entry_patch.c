#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

/*
 * The load gate's class-file edit (agent: dev.profguard.runtime.EntryPatch), byte for byte the
 * same, done here so that a clean start neither loads nor interprets it: the JDK's loaders are
 * read from the runtime image and patched in one native call (about 0.9 ms of premain in the
 * interpreter before). Every read is checked against the class file's length; anything the Java
 * patcher declines (a constant pool tag it does not know, a code attribute other than the stack
 * map, line and local variable tables, a target that does not take (Class, String, ...) or
 * (String) and return an object, a malformed file) is PROBE_BAD_INPUT here, and the agent then
 * runs the Java patcher, and ASM after it, as before. EntryPatch.java says what the code
 * inserted in front of each chosen method does.
 */

#define PROBE_MAX_POOL 65536
#define PROBE_MAX_ROUTES 4

struct probe_patch {
    const unsigned char *in;
    size_t length;
    const struct probe_entry_target *target;
    uint32_t entries[PROBE_MAX_POOL]; /* offset of each constant pool entry */
    uint32_t original_count;          /* the pool's entry count in the class file */
    uint32_t pool_count;              /* grown by what is appended */
    struct probe_buffer added;        /* the appended constants */
    uint32_t load_ref, class_class, object_class, stack_map_name, route_string;
    int patched;
    int failed;                       /* a bound, a malformed file or something not handled: declined */
};

static uint32_t probe_u2(struct probe_patch *p, size_t at)
{
    if (at > p->length || p->length - at < 2) {
        p->failed = 1;
        return 0;
    }
    return (uint32_t)p->in[at] << 8 | p->in[at + 1];
}

static uint32_t probe_u4(struct probe_patch *p, size_t at)
{
    if (at > p->length || p->length - at < 4) {
        p->failed = 1;
        return 0;
    }
    return (uint32_t)p->in[at] << 24 | (uint32_t)p->in[at + 1] << 16 | (uint32_t)p->in[at + 2] << 8 | p->in[at + 3];
}

static void probe_put1(struct probe_patch *p, struct probe_buffer *out, uint32_t value)
{
    unsigned char byte = (unsigned char)(value & 0xff);
    if (probe_append_buffer(out, &byte, 1) != PROBE_OK) {
        p->failed = 1;
    }
}

static void probe_put2(struct probe_patch *p, struct probe_buffer *out, uint32_t value)
{
    unsigned char bytes[2] = {(unsigned char)(value >> 8 & 0xff), (unsigned char)(value & 0xff)};
    if (probe_append_buffer(out, bytes, 2) != PROBE_OK) {
        p->failed = 1;
    }
}

static void probe_put4(struct probe_patch *p, struct probe_buffer *out, uint32_t value)
{
    probe_put2(p, out, value >> 16);
    probe_put2(p, out, value & 0xffff);
}

/* Copies count bytes of the class file from at, when they are all inside it. */
static void probe_copy(struct probe_patch *p, struct probe_buffer *out, size_t at, size_t count)
{
    if (at > p->length || count > p->length - at || probe_append_buffer(out, p->in + at, count) != PROBE_OK) {
        p->failed = 1;
    }
}

/* Utf8 constant index of the original pool, whole, in *value and *length; 0 (and declined) for a bad index. */
static int probe_utf8_of(struct probe_patch *p, uint32_t index, const unsigned char **value, uint32_t *length)
{
    if (index == 0 || index >= p->original_count || p->entries[index] == 0 || p->in[p->entries[index]] != 1) {
        p->failed = 1;
        return 0;
    }
    size_t at = p->entries[index];
    *length = probe_u2(p, at + 1);
    if (p->failed || *length > p->length - at - 3) {
        p->failed = 1;
        return 0;
    }
    *value = p->in + at + 3;
    return 1;
}

/* Whether Utf8 constant index of the original pool is exactly text (ASCII); a bad index declines. */
static int probe_utf8_is(struct probe_patch *p, uint32_t index, const char *text)
{
    const unsigned char *value;
    uint32_t length = 0;
    return probe_utf8_of(p, index, &value, &length) && strlen(text) == length && memcmp(value, text, length) == 0;
}

/* Records where each constant is; the offset after the pool. */
static size_t probe_read_pool(struct probe_patch *p)
{
    p->pool_count = probe_u2(p, 8);
    p->original_count = p->pool_count;
    size_t at = 10;
    for (uint32_t i = 1; i < p->pool_count && !p->failed; i++) {
        if (at >= p->length) {
            p->failed = 1;
            break;
        }
        p->entries[i] = (uint32_t)at;
        switch (p->in[at]) {
        case 1: at += 3 + probe_u2(p, at + 1); break;                   /* Utf8 */
        case 7: case 8: case 16: case 19: case 20: at += 3; break;        /* Class, String, MethodType, Module, Package */
        case 15: at += 4; break;                                          /* MethodHandle */
        case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: at += 5; break;
        case 5: case 6: at += 9; i++; break;                              /* Long, Double: two slots */
        default: p->failed = 1; break;                                    /* a tag of a future JDK */
        }
    }
    if (at > p->length) {
        p->failed = 1;
    }
    return at;
}

static size_t probe_skip_attributes(struct probe_patch *p, size_t at)
{
    uint32_t count = probe_u2(p, at);
    at += 2;
    for (uint32_t i = 0; i < count && !p->failed; i++) {
        at += 6 + (size_t)probe_u4(p, at + 2);
        if (at > p->length) {
            p->failed = 1;
        }
    }
    return at;
}

/* Appends a constant with one or two u2 operands (second < 0: one); its index. */
static uint32_t probe_add(struct probe_patch *p, uint32_t tag, uint32_t first, int64_t second)
{
    probe_put1(p, &p->added, tag);
    probe_put2(p, &p->added, first);
    if (second >= 0) {
        probe_put2(p, &p->added, (uint32_t)second);
    }
    return p->pool_count++;
}

static uint32_t probe_add_utf8(struct probe_patch *p, const unsigned char *text, size_t length)
{
    probe_put1(p, &p->added, 1);
    probe_put2(p, &p->added, (uint32_t)length);
    if (probe_append_buffer(&p->added, text, length) != PROBE_OK) {
        p->failed = 1;
    }
    return p->pool_count++;
}

static uint32_t probe_add_name(struct probe_patch *p, const char *text)
{
    return probe_add_utf8(p, (const unsigned char *)text, strlen(text));
}

static uint32_t probe_class_ref(struct probe_patch *p, const unsigned char *name, size_t length)
{
    return probe_add(p, 7, probe_add_utf8(p, name, length), -1);
}

/* The constants, each appended when first needed, in the order EntryPatch.java appends them. */
static uint32_t probe_load_ref(struct probe_patch *p)
{
    if (p->load_ref == 0) {
        uint32_t owner = probe_class_ref(p, (const unsigned char *)p->target->owner, strlen(p->target->owner));
        uint32_t name = probe_add_name(p, "load");
        uint32_t type = probe_add_name(p, p->target->load_descriptor);
        uint32_t name_and_type = probe_add(p, 12, name, type);
        p->load_ref = probe_add(p, 10, owner, name_and_type);
    }
    return p->load_ref;
}

static uint32_t probe_named_class(struct probe_patch *p, uint32_t *slot, const char *name)
{
    if (*slot == 0) {
        *slot = probe_class_ref(p, (const unsigned char *)name, strlen(name));
    }
    return *slot;
}

/* The inserted call and branch, NOP-padded at its start to 24 bytes (a multiple of four). */
static size_t probe_prologue(struct probe_patch *p, const unsigned char *descriptor, uint32_t length,
                             unsigned char *code)
{
    static const char class_string[] = "(Ljava/lang/Class;Ljava/lang/String;";
    static const char string[] = "(Ljava/lang/String;)";
    int class_and_string = length >= sizeof class_string - 1
                           && memcmp(descriptor, class_string, sizeof class_string - 1) == 0;
    if (!class_and_string && (length < sizeof string - 1 || memcmp(descriptor, string, sizeof string - 1) != 0)) {
        p->failed = 1;
        return 0;
    }
    const unsigned char *close = memchr(descriptor, ')', length);
    size_t at = close == NULL ? length : (size_t)(close - descriptor);
    if (at + 2 >= length || descriptor[at + 1] != 'L' || descriptor[length - 1] != ';') {
        p->failed = 1; /* a target must return an object */
        return 0;
    }
    for (size_t i = at + 2; i + 1 < length; i++) {
        if (descriptor[i] >= 0x80) {
            p->failed = 1; /* EntryPatch declines a return type not named in ASCII too */
            return 0;
        }
    }
    uint32_t return_type = probe_class_ref(p, descriptor + at + 2, length - at - 3);
    if (p->route_string == 0) {
        p->route_string = probe_add(p, 8, probe_add_name(p, p->target->route), -1);
    }
    uint32_t load = probe_load_ref(p);
    uint32_t class_class = probe_named_class(p, &p->class_class, "java/lang/Class");
    unsigned char body[] = {
        0x13, (unsigned char)(p->route_string >> 8), (unsigned char)p->route_string, /* ldc_w route */
        0x2a,                                                                         /* aload_0: the loader object */
        class_and_string ? 0x2b : 0x01, class_and_string ? 0x2c : 0x2b,              /* the class and name, or null and name */
        0xb8, (unsigned char)(load >> 8), (unsigned char)load,                        /* invokestatic owner.load */
        0x59,                                                                         /* dup */
        0xc1, (unsigned char)(class_class >> 8), (unsigned char)class_class,          /* instanceof Class */
        0x9a, 0x00, 0x07,                                                             /* ifne RUN */
        0xc0, (unsigned char)(return_type >> 8), (unsigned char)return_type,          /* checkcast the return type */
        0xb0,                                                                         /* areturn */
        0x57                                                                          /* RUN: pop */
    };
    size_t padded = (sizeof body + 3) & ~(size_t)3;
    memset(code, 0, padded);
    memcpy(code + padded - sizeof body, body, sizeof body);
    return padded;
}

/* same_locals_1_stack_item_frame at n - 1, stack [Object]. */
static void probe_run_frame(struct probe_patch *p, struct probe_buffer *out, size_t n)
{
    probe_put1(p, out, (uint32_t)(64 + n - 1));
    probe_put1(p, out, 7);
    probe_put2(p, out, probe_named_class(p, &p->object_class, "java/lang/Object"));
}

/* A table whose entries start with a code offset: LineNumberTable, LocalVariable(Type)Table. */
static void probe_shift_table(struct probe_patch *p, struct probe_buffer *out, size_t attribute, size_t data,
                              size_t entry_size, size_t n)
{
    size_t length = probe_u4(p, attribute + 2);
    probe_copy(p, out, attribute, 6);
    uint32_t count = probe_u2(p, data);
    probe_put2(p, out, count);
    for (uint32_t i = 0; i < count && !p->failed; i++) {
        size_t entry = data + 2 + entry_size * i;
        probe_put2(p, out, probe_u2(p, entry) + (uint32_t)n);
        probe_copy(p, out, entry + 2, entry_size - 2);
    }
    size_t rest = data + 2 + entry_size * count;
    if (data + length < rest) {
        p->failed = 1;
        return;
    }
    probe_copy(p, out, rest, data + length - rest);
}

/* Copies the Code attribute at at with the prologue inserted. */
static void probe_code(struct probe_patch *p, size_t at, const unsigned char *prologue, size_t n,
                       struct probe_buffer *out)
{
    uint32_t max_stack = probe_u2(p, at + 6);
    size_t code_length = probe_u4(p, at + 10);
    size_t code_start = at + 14;
    size_t table_at = code_start + code_length;
    uint32_t handlers = probe_u2(p, table_at);
    size_t attributes_at = table_at + 2 + 8 * (size_t)handlers;
    size_t length = probe_u4(p, at + 2);
    if (p->failed || code_length > INT32_MAX || length > p->length - at - 6) {
        p->failed = 1;
        return;
    }
    struct probe_buffer body;
    probe_init_buffer(&body, PROBE_MAX_IMAGE_RESOURCE);
    probe_put2(p, &body, max_stack > 4 ? max_stack : 4);
    probe_put2(p, &body, probe_u2(p, at + 8)); /* max_locals: only the arguments are read */
    probe_put4(p, &body, (uint32_t)(code_length + n));
    if (probe_append_buffer(&body, prologue, n) != PROBE_OK) {
        p->failed = 1;
    }
    probe_copy(p, &body, code_start, code_length);
    probe_put2(p, &body, handlers);
    for (uint32_t h = 0; h < handlers && !p->failed; h++) {
        size_t entry = table_at + 2 + 8 * (size_t)h;
        probe_put2(p, &body, probe_u2(p, entry) + (uint32_t)n);
        probe_put2(p, &body, probe_u2(p, entry + 2) + (uint32_t)n);
        probe_put2(p, &body, probe_u2(p, entry + 4) + (uint32_t)n);
        probe_put2(p, &body, probe_u2(p, entry + 6));
    }
    uint32_t count = probe_u2(p, attributes_at);
    int had_stack_map = 0;
    size_t a = attributes_at + 2;
    for (uint32_t i = 0; i < count && !p->failed; i++) {
        had_stack_map |= probe_utf8_is(p, probe_u2(p, a), "StackMapTable");
        a += 6 + (size_t)probe_u4(p, a + 2);
    }
    probe_put2(p, &body, had_stack_map ? count : count + 1);
    a = attributes_at + 2;
    for (uint32_t i = 0; i < count && !p->failed; i++) {
        uint32_t name = probe_u2(p, a);
        size_t attribute_length = probe_u4(p, a + 2);
        size_t data = a + 6;
        if (probe_utf8_is(p, name, "StackMapTable")) {
            /* one frame first, at RUN; every original frame copied as it is (EntryPatch.stackMap) */
            probe_copy(p, &body, a, 2);
            probe_put4(p, &body, (uint32_t)(attribute_length + 4));
            probe_put2(p, &body, probe_u2(p, data) + 1);
            probe_run_frame(p, &body, n);
            if (attribute_length < 2) {
                p->failed = 1;
            } else {
                probe_copy(p, &body, data + 2, attribute_length - 2);
            }
        } else if (probe_utf8_is(p, name, "LineNumberTable")) {
            probe_shift_table(p, &body, a, data, 4, n);
        } else if (probe_utf8_is(p, name, "LocalVariableTable") || probe_utf8_is(p, name, "LocalVariableTypeTable")) {
            probe_shift_table(p, &body, a, data, 10, n);
        } else {
            p->failed = 1; /* a code attribute not handled (type annotations): declined */
        }
        a = data + attribute_length;
    }
    if (!had_stack_map && !p->failed) { /* straight-line code had none: one frame now */
        if (p->stack_map_name == 0) {
            p->stack_map_name = probe_add_name(p, "StackMapTable");
        }
        probe_put2(p, &body, p->stack_map_name);
        probe_put4(p, &body, 2 + 4);
        probe_put2(p, &body, 1);
        probe_run_frame(p, &body, n);
    }
    probe_copy(p, out, at, 2); /* the name index of "Code" */
    probe_put4(p, out, (uint32_t)body.size);
    if (!p->failed && probe_append_buffer(out, body.data, body.size) != PROBE_OK) {
        p->failed = 1;
    }
    probe_free_buffer(&body);
}

/* Copies one method_info to out, patching its Code when it is the target; its end. */
static size_t probe_method(struct probe_patch *p, size_t start, struct probe_buffer *out)
{
    uint32_t access = probe_u2(p, start);
    const unsigned char *name;
    const unsigned char *descriptor;
    uint32_t name_length = 0;
    uint32_t descriptor_length = 0;
    if (!probe_utf8_of(p, probe_u2(p, start + 2), &name, &name_length)
        || !probe_utf8_of(p, probe_u2(p, start + 4), &descriptor, &descriptor_length)) {
        return start;
    }
    size_t end = probe_skip_attributes(p, start + 6);
    size_t prefix = strlen(p->target->prefix);
    int chosen = (access & 0x0008) == 0 /* ACC_STATIC */ && name_length == strlen(p->target->method)
                 && memcmp(name, p->target->method, name_length) == 0 && descriptor_length >= prefix
                 && memcmp(descriptor, p->target->prefix, prefix) == 0;
    if (p->failed || !chosen) {
        probe_copy(p, out, start, end - start);
        return end;
    }
    probe_copy(p, out, start, 8); /* access, name, descriptor, attribute count */
    size_t at = start + 8;
    uint32_t count = probe_u2(p, start + 6);
    int had_code = 0;
    for (uint32_t i = 0; i < count && !p->failed; i++) {
        size_t length = probe_u4(p, at + 2);
        if (probe_utf8_is(p, probe_u2(p, at), "Code")) {
            unsigned char prologue[32];
            size_t n = probe_prologue(p, descriptor, descriptor_length, prologue);
            if (!p->failed) {
                probe_code(p, at, prologue, n, out);
            }
            had_code = 1;
        } else {
            probe_copy(p, out, at, 6 + length);
        }
        at += 6 + length;
    }
    p->patched += had_code;
    return end;
}

int probe_patch_entry(const unsigned char *in, size_t length, const struct probe_entry_target *target,
                      struct probe_buffer *out, int *patched)
{
    *patched = 0;
    if (in == NULL || target == NULL || target->method == NULL || target->prefix == NULL || target->route == NULL
        || target->owner == NULL || target->load_descriptor == NULL || length < 10) {
        return PROBE_BAD_INPUT;
    }
    struct probe_patch *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return PROBE_NO_MEMORY;
    }
    p->in = in;
    p->length = length;
    p->target = target;
    probe_init_buffer(&p->added, PROBE_MAX_IMAGE_RESOURCE);
    struct probe_buffer methods;
    probe_init_buffer(&methods, PROBE_MAX_IMAGE_RESOURCE);
    size_t at = 0;
    size_t pool_end = 0;
    size_t methods_start = 0;
    if (probe_u4(p, 0) != 0xCAFEBABEu) {
        p->failed = 1;
    } else {
        at = pool_end = probe_read_pool(p);
        at += 6;                                     /* access, this, super */
        at += 2 + 2 * (size_t)probe_u2(p, at);       /* interfaces */
        uint32_t fields = probe_u2(p, at);
        at += 2;
        for (uint32_t i = 0; i < fields && !p->failed; i++) {
            at = probe_skip_attributes(p, at + 6);
        }
        methods_start = at;
        uint32_t count = probe_u2(p, at);
        probe_put2(p, &methods, count);
        at += 2;
        for (uint32_t m = 0; m < count && !p->failed; m++) {
            at = probe_method(p, at, &methods);
        }
    }
    int status = PROBE_OK;
    if (p->failed || p->pool_count > 0xFFFF || at > length) {
        status = PROBE_BAD_INPUT;
    } else if (p->patched == 0) {
        status = PROBE_NO_SYMBOL;
    } else {
        probe_copy(p, out, 0, 8);
        probe_put2(p, out, p->pool_count);
        probe_copy(p, out, 10, pool_end - 10);
        if (probe_append_buffer(out, p->added.data, p->added.size) != PROBE_OK) {
            p->failed = 1;
        }
        probe_copy(p, out, pool_end, methods_start - pool_end);
        if (probe_append_buffer(out, methods.data, methods.size) != PROBE_OK) {
            p->failed = 1;
        }
        probe_copy(p, out, at, length - at); /* class attributes, untouched */
        status = p->failed ? PROBE_BAD_INPUT : PROBE_OK;
    }
    *patched = status == PROBE_OK ? p->patched : 0;
    probe_free_buffer(&methods);
    probe_free_buffer(&p->added);
    free(p);
    return status;
}
