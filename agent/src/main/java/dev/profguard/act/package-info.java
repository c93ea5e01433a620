/**
 * Carries out a verdict: says it in one {@code profguard:} line and, for a refusal, ends the JVM
 * with the documented exit status before {@code main} runs. The only place that exits. It also
 * defines {@link dev.profguard.act.StateListener}, through which whoever publishes the guard's
 * state (health) hears of verdicts and events without anything here depending on it.
 */
package dev.profguard.act;
