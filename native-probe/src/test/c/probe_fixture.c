/*
 * A library for the probe's C tests: defines two functions, a counter, and a marker string, and
 * imports malloc and free through its GOT (the slot audit).
 */
#include <stddef.h>
#include <stdlib.h>

__attribute__((visibility("default"))) int fixture_shutdowns;
__attribute__((visibility("default"))) const char fixture_marker[] = "profguard-fixture-marker-7f3a";
/* Writable room inside the image, where a test puts a program header table of its own making. */
__attribute__((visibility("default"))) unsigned char fixture_scratch[4096];

__attribute__((visibility("default"))) void fixture_shutdown(void)
{
    fixture_shutdowns++;
}

__attribute__((visibility("default"))) int fixture_answer(void)
{
    return 42;
}

__attribute__((visibility("default"))) int fixture_allocate(size_t bytes)
{
    void *block = malloc(bytes);
    int got = block != NULL;
    free(block);
    return got;
}

/* Stands in for jemalloc's mallctl(3): opt.prof reads true, prof.active false, anything else fails. */
__attribute__((visibility("default"))) int mallctl(const char *name, void *old, size_t *size, void *new_value,
                                                   size_t new_size)
{
    (void)new_value;
    (void)new_size;
    int known = name[0] == 'o' || name[0] == 'p';
    if (!known || old == NULL || size == NULL || *size != sizeof(_Bool)) {
        return 2; /* ENOENT */
    }
    *(_Bool *)old = name[0] == 'o';
    return 0;
}
