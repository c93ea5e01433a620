/*
 * A hidden heap hook, as an injector would place one: its JNI_OnLoad rewrites libjvm.so's GOT slot
 * for free to a function of its own (which passes every call on). No symbol, name or mark of any
 * profiler: only the slot audit can tell. Built with hidden visibility but for JNI_OnLoad.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void (*real_free)(void *);
static volatile unsigned long hooked_calls;

static void hooked_free(void *block)
{
    hooked_calls++;
    real_free(block);
}

static int find_jvm(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const char *name = info->dlpi_name;
    size_t length = strlen(name);
    if (length >= 10 && strcmp(name + length - 10, "/libjvm.so") == 0) {
        *(struct dl_phdr_info *)data = *info;
        return 1;
    }
    return 0;
}

static ElfW(Addr) absolute(ElfW(Addr) base, ElfW(Addr) value)
{
    return value < base ? base + value : value;
}

#define JNI_VERSION_1_8 0x00010008 /* jni.h */

__attribute__((visibility("default"))) int JNI_OnLoad(void *vm, void *reserved)
{
    (void)vm;
    (void)reserved;
    struct dl_phdr_info jvm;
    memset(&jvm, 0, sizeof jvm);
    if (dl_iterate_phdr(find_jvm, &jvm) == 0) {
        return JNI_VERSION_1_8;
    }
    const ElfW(Dyn) *dynamic = NULL;
    for (int i = 0; i < jvm.dlpi_phnum; i++) {
        if (jvm.dlpi_phdr[i].p_type == PT_DYNAMIC) {
            dynamic = (const ElfW(Dyn) *)(jvm.dlpi_addr + jvm.dlpi_phdr[i].p_vaddr);
        }
    }
    const ElfW(Sym) *symtab = NULL;
    const char *strtab = NULL;
    const ElfW(Rela) *jmprel = NULL;
    size_t jmprel_size = 0;
    for (; dynamic != NULL && dynamic->d_tag != DT_NULL; dynamic++) {
        ElfW(Addr) value = absolute(jvm.dlpi_addr, dynamic->d_un.d_ptr);
        if (dynamic->d_tag == DT_SYMTAB) symtab = (const ElfW(Sym) *)value;
        if (dynamic->d_tag == DT_STRTAB) strtab = (const char *)value;
        if (dynamic->d_tag == DT_JMPREL) jmprel = (const ElfW(Rela) *)value;
        if (dynamic->d_tag == DT_PLTRELSZ) jmprel_size = dynamic->d_un.d_val;
    }
    for (size_t i = 0; symtab != NULL && strtab != NULL && jmprel != NULL && i < jmprel_size / sizeof *jmprel; i++) {
        const ElfW(Sym) *sym = &symtab[ELF64_R_SYM(jmprel[i].r_info)];
        if (strcmp(strtab + sym->st_name, "free") == 0) {
            void **slot = (void **)(jvm.dlpi_addr + jmprel[i].r_offset);
            long page = sysconf(_SC_PAGESIZE);
            void *start = (void *)((unsigned long)slot & ~(unsigned long)(page - 1));
            if (mprotect(start, (size_t)page, PROT_READ | PROT_WRITE) == 0) {
                void *original = *slot;
                memcpy(&real_free, &original, sizeof original);
                void (*hook)(void *) = hooked_free;
                memcpy(slot, &hook, sizeof hook);
            }
            break;
        }
    }
    return JNI_VERSION_1_8;
}
