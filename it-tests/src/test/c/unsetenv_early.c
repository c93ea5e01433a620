/*
 * Preloaded: its constructor unsets UNSETENV_NAME before the JVM reads its environment, as a tool
 * that hides its own variable after start would. /proc/self/environ still has it.
 */
#include <stdlib.h>

__attribute__((constructor)) static void unsetenv_early(void)
{
    const char *name = getenv("UNSETENV_NAME");
    if (name != NULL) {
        unsetenv(name);
    }
}
