/**
 * Carries out a verdict: says it in one {@code profguard:} line, switches a client off in place,
 * disposes of its capture data, and for a refusal or a halt ends the JVM with the documented exit
 * status. {@link dev.profguard.act.Exit} is the only class of the agent that ends a JVM (the
 * command line's own exit status is {@code ops.Cli}'s). It also defines
 * {@link dev.profguard.act.StateListener}, through which whoever publishes the guard's state
 * (health) hears of verdicts and events without anything here depending on it.
 */
package dev.profguard.act;
