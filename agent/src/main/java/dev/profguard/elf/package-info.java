/**
 * A bounded reader for the one part of an ELF file profguard needs: which dynamic symbols a
 * shared object defines. It reads the header, the section headers, {@code .dynsym} and its
 * string table, nothing else, and turns every malformed input into a result, never an exception.
 */
package dev.profguard.elf;
