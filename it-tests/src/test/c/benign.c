/* An ordinary JNI-style library with nothing of a profiler: loads must pass the gate untouched. */
__attribute__((visibility("default"))) int benign_answer(void)
{
    return 42;
}
