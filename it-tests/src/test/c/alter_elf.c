/*
 * Writes a copy of a 64-bit ELF shared library with its section headers altered, as an attacker
 * would to slip past a reader that trusts them; the dynamic linker reads program headers only.
 * usage: alter_elf strip-sections|hide-dynsym|hide-versions IN OUT
 *   strip-sections: e_shoff, e_shnum and e_shstrndx zeroed (a section-stripped file, like sstrip)
 *   hide-dynsym:    the .dynsym, .dynstr, .gnu.hash and .hash section headers turned into
 *                   SHT_NULL entries of size 0
 *   hide-versions:  every defined rmem* symbol's version made hidden (non-default, name@VERSION,
 *                   as the linker writes for .symver with one @): dlsym(name) no longer finds it,
 *                   dlvsym(name, version) does; the symbol table itself is as it was
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: alter_elf strip-sections|hide-dynsym|hide-versions IN OUT\n");
        return 2;
    }
    FILE *in = fopen(argv[2], "rb");
    if (in == NULL || fseek(in, 0, SEEK_END) != 0) {
        perror(argv[2]);
        return 1;
    }
    long size = ftell(in);
    unsigned char *image = malloc((size_t)size);
    rewind(in);
    if (image == NULL || fread(image, 1, (size_t)size, in) != (size_t)size) {
        perror("read");
        return 1;
    }
    fclose(in);
    Elf64_Ehdr *header = (Elf64_Ehdr *)image;
    if (memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64
        || header->e_shoff + (Elf64_Off)header->e_shnum * sizeof(Elf64_Shdr) > (Elf64_Off)size) {
        fprintf(stderr, "%s: not a 64-bit ELF file this tool knows\n", argv[2]);
        return 1;
    }
    if (strcmp(argv[1], "strip-sections") == 0) {
        header->e_shoff = 0;
        header->e_shnum = 0;
        header->e_shstrndx = 0;
    } else if (strcmp(argv[1], "hide-dynsym") == 0) {
        Elf64_Shdr *sections = (Elf64_Shdr *)(image + header->e_shoff);
        for (int i = 0; i < header->e_shnum; i++) {
            Elf64_Word type = sections[i].sh_type;
            if (type == SHT_DYNSYM || type == SHT_GNU_HASH || type == SHT_HASH
                || (type == SHT_STRTAB && i != header->e_shstrndx && (sections[i].sh_flags & SHF_ALLOC) != 0)) {
                sections[i].sh_type = SHT_NULL;
                sections[i].sh_size = 0;
                sections[i].sh_offset = 0;
            }
        }
    } else if (strcmp(argv[1], "hide-versions") == 0) {
        Elf64_Shdr *sections = (Elf64_Shdr *)(image + header->e_shoff);
        Elf64_Shdr *dynsym = NULL;
        Elf64_Shdr *versym = NULL;
        for (int i = 0; i < header->e_shnum; i++) {
            if (sections[i].sh_type == SHT_DYNSYM) {
                dynsym = &sections[i];
            } else if (sections[i].sh_type == SHT_GNU_versym) {
                versym = &sections[i];
            }
        }
        if (dynsym == NULL || versym == NULL || dynsym->sh_link >= header->e_shnum) {
            fprintf(stderr, "%s: no .dynsym with .gnu.version (build it with a version script)\n", argv[2]);
            return 1;
        }
        const char *names = (const char *)image + sections[dynsym->sh_link].sh_offset;
        Elf64_Sym *symbols = (Elf64_Sym *)(image + dynsym->sh_offset);
        Elf64_Half *versions = (Elf64_Half *)(image + versym->sh_offset);
        int hidden = 0;
        for (size_t i = 0; i < dynsym->sh_size / sizeof(Elf64_Sym); i++) {
            if (symbols[i].st_shndx != SHN_UNDEF && strncmp(names + symbols[i].st_name, "rmem", 4) == 0
                && versions[i] > VER_NDX_GLOBAL) {
                versions[i] |= 0x8000; /* VERSYM_HIDDEN */
                hidden++;
            }
        }
        if (hidden == 0) {
            fprintf(stderr, "%s: no versioned rmem* symbol to hide\n", argv[2]);
            return 1;
        }
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    FILE *out = fopen(argv[3], "wb");
    if (out == NULL || fwrite(image, 1, (size_t)size, out) != (size_t)size || fclose(out) != 0) {
        perror(argv[3]);
        return 1;
    }
    free(image);
    return 0;
}
