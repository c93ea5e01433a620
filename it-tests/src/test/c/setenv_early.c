/*
 * Preloaded before a client: its constructor sets SETENV_NAME to SETENV_VALUE before the JVM reads
 * its environment, as code that wants a production JVM to think it is not one would (red team).
 */
#include <stdlib.h>

__attribute__((constructor)) static void setenv_early(void)
{
    const char *name = getenv("SETENV_NAME");
    const char *value = getenv("SETENV_VALUE");
    if (name != NULL && value != NULL) {
        setenv(name, value, 1);
    }
}
