/* A library for the probe's C tests: defines two functions, a counter, and a marker string. */
#include <stddef.h>

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
