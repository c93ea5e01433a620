/*
 * Writes a copy of a 64-bit ELF shared library with its section headers altered, as an attacker
 * would to slip past a reader that trusts them; the dynamic linker reads program headers only.
 * usage: alter_elf strip-sections|hide-dynsym IN OUT
 *   strip-sections: e_shoff, e_shnum and e_shstrndx zeroed (a section-stripped file, like sstrip)
 *   hide-dynsym:    the .dynsym, .dynstr, .gnu.hash and .hash section headers turned into
 *                   SHT_NULL entries of size 0
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: alter_elf strip-sections|hide-dynsym IN OUT\n");
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
