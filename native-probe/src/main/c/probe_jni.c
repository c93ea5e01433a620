#define _GNU_SOURCE
/*
 * The JNI boundary: the only file that talks to the JVM. The natives are bound with
 * RegisterNatives in JNI_OnLoad rather than found by symbol name: on JDK 24+ a native method of
 * an unnamed module linked by name makes the JVM print a warning (JEP 472); registered ones do
 * not (shared/docs/jdk-facts.md). The Java_* names still follow the javac -h header, which is
 * included to check every signature at compile time.
 */
#include <dlfcn.h>
#include <jni.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dev_profguard_probe_Probe.h"
#include "probe.h"

#define PROBE_MAX_PATH 4096
#define PROBE_MAX_NAMES 1024
#define PROBE_MAX_BLOB ((size_t)64 << 20)

static void probe_throw(JNIEnv *env, const char *message)
{
    jclass type = (*env)->FindClass(env, "java/lang/IllegalStateException");
    if (type != NULL) {
        (*env)->ThrowNew(env, type, message);
    }
}

/* Copies a Java byte[] into a NUL-terminated string; rejects NUL bytes and overlong input. */
static int probe_copy_bytes(JNIEnv *env, jbyteArray array, char *into, size_t capacity)
{
    if (array == NULL) {
        return PROBE_BAD_INPUT;
    }
    jsize length = (*env)->GetArrayLength(env, array);
    if (length <= 0 || (size_t)length >= capacity) {
        return PROBE_BAD_INPUT;
    }
    (*env)->GetByteArrayRegion(env, array, 0, length, (jbyte *)into);
    into[length] = '\0';
    return strlen(into) == (size_t)length ? PROBE_OK : PROBE_BAD_INPUT;
}

/* Two byte strings, each copied NUL-terminated into a buffer of PROBE_MAX_PATH bytes: PROBE_OK or the first failure. */
static int probe_copy_two(JNIEnv *env, jbyteArray first, char *into_first, jbyteArray second, char *into_second)
{
    int status = probe_copy_bytes(env, first, into_first, PROBE_MAX_PATH);
    return status == PROBE_OK ? probe_copy_bytes(env, second, into_second, PROBE_MAX_PATH) : status;
}

static jbyteArray probe_to_java(JNIEnv *env, const struct probe_buffer *buffer)
{
    jbyteArray array = (*env)->NewByteArray(env, (jsize)buffer->size);
    if (array != NULL && buffer->size > 0) {
        (*env)->SetByteArrayRegion(env, array, 0, (jsize)buffer->size, (const jbyte *)buffer->data);
    }
    return array;
}

/* The byte[][] argument as C strings in one allocation; *count is set; NULL on bad input. */
static char **probe_copy_names(JNIEnv *env, jobjectArray names, jsize *count)
{
    *count = names == NULL ? -1 : (*env)->GetArrayLength(env, names);
    if (*count < 0 || *count > PROBE_MAX_NAMES) {
        return NULL;
    }
    char **copies = calloc((size_t)*count + 1, sizeof(char *));
    if (copies == NULL) {
        return NULL;
    }
    for (jsize i = 0; i < *count; i++) {
        jbyteArray name = (jbyteArray)(*env)->GetObjectArrayElement(env, names, i);
        copies[i] = malloc(PROBE_MAX_PATH);
        int status = copies[i] == NULL ? PROBE_NO_MEMORY : probe_copy_bytes(env, name, copies[i], PROBE_MAX_PATH);
        if (name != NULL) {
            (*env)->DeleteLocalRef(env, name);
        }
        if (status != PROBE_OK) {
            for (jsize k = 0; k <= i; k++) {
                free(copies[k]);
            }
            free(copies);
            return NULL;
        }
    }
    return copies;
}

static void probe_free_names(char **names, jsize count)
{
    for (jsize i = 0; i < count; i++) {
        free(names[i]);
    }
    free(names);
}

static void probe_set_flags(JNIEnv *env, jbooleanArray out, const unsigned char *flags, jsize count)
{
    for (jsize i = 0; i < count; i++) {
        jboolean value = flags[i] ? JNI_TRUE : JNI_FALSE;
        (*env)->SetBooleanArrayRegion(env, out, i, 1, &value);
    }
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_abiVersion0(JNIEnv *env, jclass type)
{
    (void)env;
    (void)type;
    return PROBE_ABI_VERSION;
}

JNIEXPORT jlong JNICALL Java_dev_profguard_probe_Probe_changeCount0(JNIEnv *env, jclass type)
{
    (void)env;
    (void)type;
    uint64_t count = 0;
    return probe_count_changes(&count) == PROBE_OK ? (jlong)(count & INT64_MAX) : -1;
}

/* A blob (at most PROBE_MAX_BLOB bytes) filled by fill, as a Java byte[]; an exception with failure if fill fails. */
static jbyteArray probe_blob(JNIEnv *env, int (*fill)(struct probe_buffer *), const char *failure)
{
    struct probe_buffer buffer;
    probe_init_buffer(&buffer, PROBE_MAX_BLOB);
    int status = fill(&buffer);
    jbyteArray result = status == PROBE_OK ? probe_to_java(env, &buffer) : NULL;
    probe_free_buffer(&buffer);
    if (status != PROBE_OK) {
        probe_throw(env, failure);
    }
    return result;
}

JNIEXPORT jbyteArray JNICALL Java_dev_profguard_probe_Probe_loadedObjects0(JNIEnv *env, jclass type)
{
    (void)type;
    return probe_blob(env, probe_list_objects, "profguard probe: could not list loaded objects");
}

/* What definedSymbols and findMarks take alike: an object's path, byte strings, and a flag array. */
struct probe_query {
    char object[PROBE_MAX_PATH];
    char **items;
    jsize count;
    unsigned char *flags;
};

static int probe_open_query(JNIEnv *env, jbyteArray path, jobjectArray items, jbooleanArray flags,
                            struct probe_query *query)
{
    query->items = NULL;
    query->flags = NULL;
    query->count = 0;
    if (probe_copy_bytes(env, path, query->object, sizeof query->object) != PROBE_OK || flags == NULL) {
        return PROBE_BAD_INPUT;
    }
    query->items = probe_copy_names(env, items, &query->count);
    if (query->items == NULL || (*env)->GetArrayLength(env, flags) < query->count) {
        if (query->items != NULL) {
            probe_free_names(query->items, query->count);
        }
        query->items = NULL;
        return PROBE_BAD_INPUT;
    }
    query->flags = calloc((size_t)query->count + 1, 1);
    return query->flags == NULL ? PROBE_NO_MEMORY : PROBE_OK;
}

static void probe_close_query(struct probe_query *query)
{
    free(query->flags);
    if (query->items != NULL) {
        probe_free_names(query->items, query->count);
    }
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_definedSymbols0(JNIEnv *env, jclass type,
        jbyteArray path, jobjectArray names, jbooleanArray defined)
{
    (void)type;
    struct probe_query query;
    int status = probe_open_query(env, path, names, defined, &query);
    if (status == PROBE_OK) {
        status = probe_find_symbols(query.object, (const char *const *)query.items, (size_t)query.count, query.flags);
    }
    if (status == PROBE_OK) {
        probe_set_flags(env, defined, query.flags, query.count);
    }
    probe_close_query(&query);
    return status;
}

/* For each of bases, the start and end of the object's loadable segments there (0, 0 when none is there). */
JNIEXPORT jlongArray JNICALL Java_dev_profguard_probe_Probe_objectSpans0(JNIEnv *env, jclass type, jlongArray bases)
{
    (void)type;
    jsize count = bases == NULL ? -1 : (*env)->GetArrayLength(env, bases);
    if (count < 0 || count > 65536) {
        return NULL;
    }
    jlong *in = calloc((size_t)count + 1, sizeof *in);
    jlong *out = calloc((size_t)count * 2 + 1, sizeof *out);
    jlongArray result = in == NULL || out == NULL ? NULL : (*env)->NewLongArray(env, count * 2);
    if (result != NULL) {
        (*env)->GetLongArrayRegion(env, bases, 0, count, in);
        uint64_t *starts = calloc((size_t)count + 1, sizeof *starts);
        uint64_t *ends = calloc((size_t)count + 1, sizeof *ends);
        int *status = calloc((size_t)count + 1, sizeof *status);
        if (starts != NULL && ends != NULL && status != NULL) {
            probe_object_spans((const uint64_t *)in, (size_t)count, starts, ends, status);
            for (jsize i = 0; i < count; i++) {
                if (status[i] == PROBE_OK) {
                    out[2 * i] = (jlong)starts[i];
                    out[2 * i + 1] = (jlong)ends[i];
                }
            }
        }
        free(starts);
        free(ends);
        free(status);
        (*env)->SetLongArrayRegion(env, result, 0, count * 2, out);
    }
    free(in);
    free(out);
    return result;
}

/* Which of names the ELF object mapped at base defines, read in memory; minus a status when none is there. */
JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_definedSymbolsAt0(JNIEnv *env, jclass type, jlong base,
        jobjectArray names, jbooleanArray defined)
{
    (void)type;
    jsize count = 0;
    char **items = probe_copy_names(env, names, &count);
    if (items == NULL || defined == NULL || (*env)->GetArrayLength(env, defined) < count || base <= 0) {
        if (items != NULL) {
            probe_free_names(items, count);
        }
        return -PROBE_BAD_INPUT;
    }
    unsigned char *flags = calloc((size_t)count + 1, 1);
    int status = flags == NULL ? PROBE_NO_MEMORY
                 : probe_find_symbols_at((uint64_t)base, (const char *const *)items, (size_t)count, flags);
    if (status == PROBE_OK) {
        probe_set_flags(env, defined, flags, count);
    }
    free(flags);
    probe_free_names(items, count);
    return status == PROBE_OK ? 0 : -status;
}

JNIEXPORT jbyteArray JNICALL Java_dev_profguard_probe_Probe_symbolProvider0(JNIEnv *env, jclass type,
        jbyteArray name)
{
    (void)type;
    char symbol[PROBE_MAX_PATH];
    if (probe_copy_bytes(env, name, symbol, sizeof symbol) != PROBE_OK) {
        return NULL;
    }
    struct probe_buffer buffer;
    probe_init_buffer(&buffer, PROBE_MAX_PATH);
    jbyteArray result = probe_find_provider(symbol, &buffer) == PROBE_OK ? probe_to_java(env, &buffer) : NULL;
    probe_free_buffer(&buffer);
    return result;
}

JNIEXPORT jbyteArray JNICALL Java_dev_profguard_probe_Probe_imageResource0(JNIEnv *env, jclass type,
        jbyteArray module, jbyteArray name)
{
    (void)type;
    char module_name[PROBE_MAX_PATH];
    char resource[PROBE_MAX_PATH];
    if (probe_copy_two(env, module, module_name, name, resource) != PROBE_OK) {
        return NULL;
    }
    struct probe_buffer buffer;
    probe_init_buffer(&buffer, PROBE_MAX_IMAGE_RESOURCE);
    jbyteArray result = probe_read_image_resource(module_name, resource, &buffer) == PROBE_OK
            ? probe_to_java(env, &buffer) : NULL;
    probe_free_buffer(&buffer);
    return result;
}

/*
 * The load gate's patch of a JDK loader, in one call: names = {module, resource, method, descriptor
 * prefix, route, owner, load descriptor}; the class file given, or (classfile null) read from the
 * runtime image. The patched class file, or null with count[0] saying why: 0 no target method,
 * -1 declined (the agent's Java patcher decides), -2 not in the image.
 */
JNIEXPORT jbyteArray JNICALL Java_dev_profguard_probe_Probe_patchEntry0(JNIEnv *env, jclass type,
        jbyteArray classfile, jobjectArray names, jintArray count)
{
    (void)type;
    jsize items = 0;
    char **name = probe_copy_names(env, names, &items);
    if (name == NULL || items != 7 || count == NULL || (*env)->GetArrayLength(env, count) < 1) {
        if (name != NULL) {
            probe_free_names(name, items);
        }
        probe_throw(env, "profguard probe: bad arguments to patchEntry");
        return NULL;
    }
    struct probe_buffer in;
    probe_init_buffer(&in, PROBE_MAX_IMAGE_RESOURCE);
    int status;
    if (classfile == NULL) {
        status = probe_read_image_resource(name[0], name[1], &in) == PROBE_OK ? PROBE_OK : PROBE_NOT_LOADED;
    } else {
        jsize length = (*env)->GetArrayLength(env, classfile);
        status = probe_reserve_buffer(&in, (size_t)length);
        if (status == PROBE_OK && (size_t)length <= in.capacity) {
            (*env)->GetByteArrayRegion(env, classfile, 0, length, (jbyte *)in.data);
            in.size = (size_t)length;
        } else {
            status = PROBE_TOO_LARGE;
        }
    }
    struct probe_entry_target target = {name[2], name[3], name[4], name[5], name[6]};
    struct probe_buffer out;
    probe_init_buffer(&out, PROBE_MAX_IMAGE_RESOURCE);
    int patched = 0;
    jint why = -2;
    if (status == PROBE_OK) {
        status = probe_patch_entry(in.data, in.size, &target, &out, &patched);
        why = status == PROBE_OK ? patched : status == PROBE_NO_SYMBOL ? 0 : -1;
    }
    jbyteArray result = status == PROBE_OK ? probe_to_java(env, &out) : NULL;
    (*env)->SetIntArrayRegion(env, count, 0, 1, &why);
    probe_free_buffer(&out);
    probe_free_buffer(&in);
    probe_free_names(name, items);
    return result;
}

/*
 * java.lang.Class's classRedefinedCount of target: how often it was redefined or retransformed
 * (the JVM counts each for reflection's caches); -1 when this JDK has no such field. Read through
 * JNI, which a private field does not stop.
 */
JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_redefinedCount0(JNIEnv *env, jclass type, jclass target)
{
    (void)type;
    if (target == NULL) {
        return -1;
    }
    jclass class_class = (*env)->GetObjectClass(env, target);
    jfieldID field = class_class == NULL ? NULL : (*env)->GetFieldID(env, class_class, "classRedefinedCount", "I");
    if (field == NULL) {
        (*env)->ExceptionClear(env);
        return -1;
    }
    return (*env)->GetIntField(env, target, field);
}

typedef jobjectArray(JNICALL *probe_vm_arguments_t)(JNIEnv *env);

/*
 * The arguments this JVM parsed, in the order it parsed them: the JVM's own record
 * (JVM_GetVmArguments, what RuntimeMXBean.getInputArguments returns), with JAVA_TOOL_OPTIONS,
 * the launcher's JDK_JAVA_OPTIONS and @argfiles, -XX:VMOptionsFile's contents and _JAVA_OPTIONS
 * in place, and nothing of the program's own arguments. Null when this JVM's libjvm has none.
 * Looked up in the libjvm the JVM loaded (RTLD_NOLOAD), never in a library loaded before it.
 */
JNIEXPORT jobjectArray JNICALL Java_dev_profguard_probe_Probe_vmArguments0(JNIEnv *env, jclass type)
{
    (void)type;
    char path[PATH_MAX];
    if (probe_libjvm(path, sizeof path) != PROBE_OK) {
        return NULL;
    }
    void *libjvm = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (libjvm == NULL) {
        return NULL;
    }
    probe_vm_arguments_t arguments = (probe_vm_arguments_t)dlsym(libjvm, "JVM_GetVmArguments");
    jobjectArray result = arguments == NULL ? NULL : arguments(env);
    dlclose(libjvm);
    return result;
}

JNIEXPORT jbyteArray JNICALL Java_dev_profguard_probe_Probe_liveEnvironment0(JNIEnv *env, jclass type)
{
    (void)type;
    return probe_blob(env, probe_copy_environ, "profguard probe: could not copy the environment");
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_findMarks0(JNIEnv *env, jclass type,
        jbyteArray path, jobjectArray patterns, jbooleanArray found)
{
    (void)type;
    struct probe_query query;
    int status = probe_open_query(env, path, patterns, found, &query);
    size_t *lengths = status == PROBE_OK ? calloc((size_t)query.count + 1, sizeof(size_t)) : NULL;
    if (status == PROBE_OK && lengths == NULL) {
        status = PROBE_NO_MEMORY;
    }
    if (status == PROBE_OK) {
        for (jsize i = 0; i < query.count; i++) {
            lengths[i] = strlen(query.items[i]);
        }
        status = probe_find_marks(query.object, (const unsigned char *const *)query.items, lengths,
                                  (size_t)query.count, query.flags);
        if (status == PROBE_OK || status == PROBE_TOO_LARGE) {
            probe_set_flags(env, found, query.flags, query.count);
        }
    }
    free(lengths);
    probe_close_query(&query);
    return status;
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_callShutdown0(JNIEnv *env, jclass type,
        jbyteArray path, jbyteArray symbol)
{
    (void)type;
    char object[PROBE_MAX_PATH];
    char function[PROBE_MAX_PATH];
    if (probe_copy_two(env, path, object, symbol, function) != PROBE_OK) {
        return PROBE_BAD_INPUT;
    }
    return probe_call_shutdown(object, function);
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_callShutdownAt0(JNIEnv *env, jclass type,
        jlong base, jbyteArray symbol)
{
    (void)type;
    char function[PROBE_MAX_PATH];
    if (probe_copy_bytes(env, symbol, function, sizeof function) != PROBE_OK) {
        return PROBE_BAD_INPUT;
    }
    return probe_call_shutdown_at((uint64_t)base, function);
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_openRegular0(JNIEnv *env, jclass type, jbyteArray path)
{
    (void)type;
    char file[PROBE_MAX_PATH];
    if (probe_copy_bytes(env, path, file, sizeof file) != PROBE_OK) {
        return -PROBE_BAD_INPUT;
    }
    int fd = -1;
    int status = probe_open_regular(file, &fd);
    return status == PROBE_OK ? fd : -status;
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_mappedFile0(JNIEnv *env, jclass type, jbyteArray path, jlongArray out)
{
    (void)type;
    char file[PROBE_MAX_PATH];
    if (probe_copy_bytes(env, path, file, sizeof file) != PROBE_OK || out == NULL || (*env)->GetArrayLength(env, out) < 3) {
        return -PROBE_BAD_INPUT;
    }
    unsigned long long device = 0;
    unsigned long long inode = 0;
    int status = probe_mapped_file(file, &device, &inode);
    if (status == PROBE_OK) {
        jlong values[3] = {(jlong)(device >> 32), (jlong)(device & 0xffffffffULL), (jlong)inode};
        (*env)->SetLongArrayRegion(env, out, 0, 3, values);
    }
    return status == PROBE_OK ? PROBE_OK : -status;
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_readHead0(JNIEnv *env, jclass type, jbyteArray path, jbyteArray into)
{
    (void)type;
    char file[PROBE_MAX_PATH];
    if (probe_copy_bytes(env, path, file, sizeof file) != PROBE_OK || into == NULL) {
        return -PROBE_BAD_INPUT;
    }
    unsigned char head[4096];
    jsize wanted = (*env)->GetArrayLength(env, into);
    size_t capacity = wanted < 0 ? 0 : (size_t)wanted < sizeof head ? (size_t)wanted : sizeof head;
    long got = probe_read_head(file, head, capacity);
    if (got > 0) {
        (*env)->SetByteArrayRegion(env, into, 0, (jsize)got, (const jbyte *)head);
    }
    return (jint)got;
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_closeFile0(JNIEnv *env, jclass type, jint fd)
{
    (void)env;
    (void)type;
    return probe_close_file(fd);
}

JNIEXPORT jbyteArray JNICALL Java_dev_profguard_probe_Probe_selfObject0(JNIEnv *env, jclass type, jlongArray base)
{
    (void)type;
    struct probe_buffer buffer;
    probe_init_buffer(&buffer, PROBE_MAX_PATH);
    uint64_t address = 0;
    jbyteArray result = NULL;
    if (base != NULL && (*env)->GetArrayLength(env, base) >= 1 && probe_find_self(&buffer, &address) == PROBE_OK) {
        jlong value = (jlong)address;
        (*env)->SetLongArrayRegion(env, base, 0, 1, &value);
        result = probe_to_java(env, &buffer);
    }
    probe_free_buffer(&buffer);
    return result;
}

JNIEXPORT void JNICALL Java_dev_profguard_probe_Probe_endProcess0(JNIEnv *env, jclass type, jint status)
{
    (void)env;
    (void)type;
    probe_end_process(status);
}

JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_startScan0(JNIEnv *env, jclass type, jbyteArray rules,
                                                                   jlongArray judged)
{
    (void)type;
    jsize length = rules == NULL ? 0 : (*env)->GetArrayLength(env, rules);
    if (length <= 0 || (size_t)length > PROBE_MAX_RULES_TEXT) {
        return -PROBE_BAD_INPUT;
    }
    char *text = malloc((size_t)length);
    if (text == NULL) {
        return -PROBE_NO_MEMORY;
    }
    (*env)->GetByteArrayRegion(env, rules, 0, length, (jbyte *)text);
    struct probe_start_rules *parsed = malloc(sizeof *parsed);
    int status = parsed == NULL ? PROBE_NO_MEMORY : probe_parse_start_rules(text, (size_t)length, parsed);
    free(text);
    if (status != PROBE_OK) {
        free(parsed);
        return -status;
    }
    jsize triples = judged == NULL ? 0 : (*env)->GetArrayLength(env, judged) / 3;
    uint64_t *files = NULL;
    if (triples > 0 && triples <= PROBE_MAX_JUDGED) {
        files = malloc((size_t)triples * 3 * sizeof *files);
        if (files != NULL) {
            (*env)->GetLongArrayRegion(env, judged, 0, triples * 3, (jlong *)files);
            parsed->judged = files;
            parsed->judged_count = (size_t)triples;
        }
    }
    parsed->at_end = judged != NULL;
    uint32_t reasons = 0;
    (void)probe_scan_start(parsed, &reasons); /* a failure is in reasons: PROBE_SCAN_INCOMPLETE */
    free(files);
    probe_free_start_rules(parsed);
    free(parsed);
    return (jint)reasons;
}

/*
 * Defines a class in the boot loader (JNI DefineClass with no loader) and sets its static field
 * of the given name and type: JNI does neither access nor module checks, so this takes no
 * Instrumentation.redefineModule (milliseconds of start-up) where it is allowed. A class already
 * defined under that name is kept, and only its field is set. 0 when done, else minus a status.
 */
JNIEXPORT jint JNICALL Java_dev_profguard_probe_Probe_defineBootClass0(JNIEnv *env, jclass type,
        jbyteArray name, jbyteArray bytes, jbyteArray field, jbyteArray signature, jobject value)
{
    (void)type;
    char class_name[PROBE_MAX_PATH];
    char field_name[PROBE_MAX_PATH];
    char field_type[PROBE_MAX_PATH];
    int define_only = field == NULL && signature == NULL && value == NULL;
    if (probe_copy_bytes(env, name, class_name, sizeof class_name) != PROBE_OK
        || (!define_only && (probe_copy_bytes(env, field, field_name, sizeof field_name) != PROBE_OK
                             || probe_copy_bytes(env, signature, field_type, sizeof field_type) != PROBE_OK))
        || bytes == NULL) {
        return -PROBE_BAD_INPUT;
    }
    jsize length = (*env)->GetArrayLength(env, bytes);
    jbyte *code = length > 0 && length <= (1 << 20) ? malloc((size_t)length) : NULL;
    if (code == NULL) {
        return -PROBE_BAD_INPUT;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, length, code);
    jclass defined = (*env)->DefineClass(env, class_name, NULL, code, length);
    free(code);
    if (define_only) {
        /* defined now from these bytes, or not (defined before, or refused): 1, the caller then redefines */
        if (defined == NULL) {
            (*env)->ExceptionClear(env);
            return 1;
        }
        (*env)->DeleteLocalRef(env, defined);
        return 0;
    }
    if (defined == NULL) {
        (*env)->ExceptionClear(env); /* defined before (a second install): look it up instead */
        defined = (*env)->FindClass(env, class_name);
        if (defined == NULL) {
            (*env)->ExceptionClear(env);
            return -PROBE_UNAVAILABLE;
        }
    }
    jfieldID id = (*env)->GetStaticFieldID(env, defined, field_name, field_type);
    if (id == NULL) {
        (*env)->ExceptionClear(env);
        return -PROBE_NO_SYMBOL;
    }
    (*env)->SetStaticObjectField(env, defined, id, value);
    return 0;
}

static JNINativeMethod probe_methods[] = {
    {"defineBootClass0", "([B[B[B[BLjava/lang/Object;)I", (void *)Java_dev_profguard_probe_Probe_defineBootClass0},
    {"startScan0", "([B[J)I", (void *)Java_dev_profguard_probe_Probe_startScan0},
    {"abiVersion0", "()I", (void *)Java_dev_profguard_probe_Probe_abiVersion0},
    {"changeCount0", "()J", (void *)Java_dev_profguard_probe_Probe_changeCount0},
    {"loadedObjects0", "()[B", (void *)Java_dev_profguard_probe_Probe_loadedObjects0},
    {"definedSymbols0", "([B[[B[Z)I", (void *)Java_dev_profguard_probe_Probe_definedSymbols0},
    {"symbolProvider0", "([B)[B", (void *)Java_dev_profguard_probe_Probe_symbolProvider0},
    {"definedSymbolsAt0", "(J[[B[Z)I", (void *)Java_dev_profguard_probe_Probe_definedSymbolsAt0},
    {"objectSpans0", "([J)[J", (void *)Java_dev_profguard_probe_Probe_objectSpans0},
    {"liveEnvironment0", "()[B", (void *)Java_dev_profguard_probe_Probe_liveEnvironment0},
    {"imageResource0", "([B[B)[B", (void *)Java_dev_profguard_probe_Probe_imageResource0},
    {"patchEntry0", "([B[[B[I)[B", (void *)Java_dev_profguard_probe_Probe_patchEntry0},
    {"redefinedCount0", "(Ljava/lang/Class;)I", (void *)Java_dev_profguard_probe_Probe_redefinedCount0},
    {"vmArguments0", "()[Ljava/lang/String;", (void *)Java_dev_profguard_probe_Probe_vmArguments0},
    {"findMarks0", "([B[[B[Z)I", (void *)Java_dev_profguard_probe_Probe_findMarks0},
    {"callShutdown0", "([B[B)I", (void *)Java_dev_profguard_probe_Probe_callShutdown0},
    {"callShutdownAt0", "(J[B)I", (void *)Java_dev_profguard_probe_Probe_callShutdownAt0},
    {"openRegular0", "([B)I", (void *)Java_dev_profguard_probe_Probe_openRegular0},
    {"closeFile0", "(I)I", (void *)Java_dev_profguard_probe_Probe_closeFile0},
    {"mappedFile0", "([B[J)I", (void *)Java_dev_profguard_probe_Probe_mappedFile0},
    {"readHead0", "([B[B)I", (void *)Java_dev_profguard_probe_Probe_readHead0},
    {"selfObject0", "([J)[B", (void *)Java_dev_profguard_probe_Probe_selfObject0},
    {"endProcess0", "(I)V", (void *)Java_dev_profguard_probe_Probe_endProcess0},
    {"auditSlots0", "([B[[B)[B", (void *)Java_dev_profguard_probe_Probe_auditSlots0},
    {"allocatorControls0", "([[B)[B", (void *)Java_dev_profguard_probe_Probe_allocatorControls0},
};

JNIEXPORT jbyteArray JNICALL Java_dev_profguard_probe_Probe_auditSlots0(JNIEnv *env, jclass type,
        jbyteArray path, jobjectArray names)
{
    (void)type;
    char object[PROBE_MAX_PATH];
    jsize count = 0;
    if (probe_copy_bytes(env, path, object, sizeof object) != PROBE_OK) {
        return NULL;
    }
    char **items = probe_copy_names(env, names, &count);
    if (items == NULL) {
        return NULL;
    }
    struct probe_buffer buffer;
    probe_init_buffer(&buffer, PROBE_MAX_BLOB);
    int status = probe_audit_slots(object, (const char *const *)items, (size_t)count, &buffer);
    jbyteArray result = status == PROBE_OK ? probe_to_java(env, &buffer) : NULL;
    probe_free_buffer(&buffer);
    probe_free_names(items, count);
    return result;
}

JNIEXPORT jbyteArray JNICALL Java_dev_profguard_probe_Probe_allocatorControls0(JNIEnv *env, jclass type,
        jobjectArray names)
{
    (void)type;
    jsize count = 0;
    char **items = probe_copy_names(env, names, &count);
    if (items == NULL) {
        return NULL;
    }
    signed char values[PROBE_MAX_NAMES];
    jbyteArray result = NULL;
    if (probe_read_controls((const char *const *)items, (size_t)count, values) == PROBE_OK) {
        result = (*env)->NewByteArray(env, count);
        if (result != NULL && count > 0) {
            (*env)->SetByteArrayRegion(env, result, 0, count, (const jbyte *)values);
        }
    }
    probe_free_names(items, count);
    return result;
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    /* the invocation interface's functions are libjvm's code: that object is the JVM's libjvm */
    jint (JNICALL *get_env)(JavaVM *, void **, jint) = (*vm)->GetEnv;
    void *code;
    memcpy(&code, &get_env, sizeof code);
    probe_set_libjvm(code);
    jclass probe_class = (*env)->FindClass(env, "dev/profguard/probe/Probe");
    if (probe_class == NULL) {
        return JNI_ERR;
    }
    jint count = (jint)(sizeof probe_methods / sizeof probe_methods[0]);
    if ((*env)->RegisterNatives(env, probe_class, probe_methods, count) != 0) {
        return JNI_ERR;
    }
    return JNI_VERSION_1_8;
}
