/**
 * Small helpers shared by several stages (text splitting). Nothing here knows about profilers,
 * processes or verdicts.
 */
package dev.profguard.util;
