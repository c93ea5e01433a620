/* A library with nothing of MTuner's but a zero-filled segment as large as its client's. */
static unsigned char bigbss_pool[1644167604];

__attribute__((visibility("default"))) unsigned char *bigbss_at(unsigned long offset)
{
    return bigbss_pool + offset;
}
