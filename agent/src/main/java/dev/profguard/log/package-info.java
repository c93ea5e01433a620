/**
 * profguard's own lines on stderr: an SLF4J logger backed by a private, relocated Logback context
 * that the agent builds itself, so no application configuration, system property or
 * {@code logback.xml} reaches it. Built lazily: a clean start never initializes it.
 */
package dev.profguard.log;
