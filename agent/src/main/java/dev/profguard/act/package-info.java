/**
 * Carries out a verdict: says it in one {@code profguard:} line and, for a refusal, ends the JVM
 * with the documented exit status before {@code main} runs. The only place that exits.
 */
package dev.profguard.act;
