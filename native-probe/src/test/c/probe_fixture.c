/*
 * A library for the probe's C tests: defines two functions, a counter, and a marker string, and
 * imports malloc and free through its GOT (the slot audit).
 */
#include <stddef.h>
#include <stdlib.h>

__attribute__((visibility("default"))) int fixture_shutdowns;
__attribute__((visibility("default"))) const char fixture_marker[] = "profguard-fixture-marker-7f3a";

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
