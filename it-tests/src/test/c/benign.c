/* An ordinary JNI-style library with nothing of a profiler: loads must pass the gate untouched. */
__attribute__((visibility("default"))) int benign_answer(void)
{
    return 42;
}

#ifdef BENIGN_PADDED
/* Read-only padding: a file larger than the client stand-in, whose bytes the client can take in place. */
__attribute__((visibility("default"))) const char benign_padding[98304] = {1, 2, 3};
#endif
