/**
 * Detectors: each looks at one part of a process through {@link dev.profguard.detect.ProcessView}
 * (mapped objects, environment, open files, arguments) and turns what matches a rule into
 * {@link dev.profguard.detect.Finding}s. They decide nothing: {@code policy} does.
 */
package dev.profguard.detect;
