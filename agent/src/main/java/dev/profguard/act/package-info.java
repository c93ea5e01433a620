/**
 * Carries out a verdict: says it in one {@code profguard:} line, switches a client off in place,
 * disposes of its capture data, and for a refusal or a halt ends the JVM with the documented exit
 * status. {@link dev.profguard.act.Exit} is the only class of the agent that ends a JVM (the
 * command line's own exit status is {@code ops.Cli}'s).
 */
package dev.profguard.act;
