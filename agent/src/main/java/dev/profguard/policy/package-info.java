/**
 * The one policy: turns findings, the surface that asked (start-up, a load, after start-up,
 * check, scan) and the options into a {@link dev.profguard.policy.Verdict}, and says when health
 * is DOWN. Pure decisions, no I/O: what is done about a verdict lives in {@code act}.
 */
package dev.profguard.policy;
