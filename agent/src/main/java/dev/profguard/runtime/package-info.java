/**
 * What guards the JVM after start-up: the library-load gate, which checks every native library
 * before the JVM loads it, and the bridge inside java.base that reaches it. Detection rules and
 * the inspector are the start-up ones; nothing here decides by rules of its own.
 */
package dev.profguard.runtime;
