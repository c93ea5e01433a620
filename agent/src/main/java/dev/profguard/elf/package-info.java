/**
 * A bounded reader for the one part of an ELF file profguard needs: which dynamic symbols a
 * shared object defines, read as the dynamic linker reads them (program headers, PT_DYNAMIC, its
 * symbol, string and hash tables), with the section headers as fallback and cross-check. Every
 * malformed input becomes a result, never an exception; only regular files are opened.
 */
package dev.profguard.elf;
