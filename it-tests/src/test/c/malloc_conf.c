/*
 * Preloaded before jemalloc: a malloc_conf symbol, as a program or library compiled with jemalloc
 * options carries one. jemalloc reads it (interposition) and turns heap profiling on; no variable
 * says so, only jemalloc itself (mallctl "opt.prof").
 */
__attribute__((visibility("default"))) const char *malloc_conf = "prof:true";
