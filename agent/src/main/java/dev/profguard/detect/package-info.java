/**
 * What is in a process or a file. Detectors each look at one part of a process through
 * {@link dev.profguard.detect.ProcessView} (loaded and mapped objects, environment, open files,
 * arguments); {@link dev.profguard.detect.Evidence}, the one evidence ladder, judges what they
 * find against the rules and makes {@link dev.profguard.detect.Finding}s. Nothing here decides
 * what happens: {@code policy} does.
 */
package dev.profguard.detect;
