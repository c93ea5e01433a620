/**
 * Turns findings and options into a {@link dev.profguard.policy.Verdict}: allow, warn or refuse.
 * Pure decisions, no I/O: what is done about a verdict lives in {@code act}.
 */
package dev.profguard.policy;
