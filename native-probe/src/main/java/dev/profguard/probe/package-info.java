/**
 * The native probe: {@link dev.profguard.probe.Probe} declares the JNI methods and wraps them
 * in domain types, and
 * {@link dev.profguard.probe.NativeLoader} is the one place that extracts, checks and loads the
 * library. Detection rules and policy live in the agent, not here.
 */
package dev.profguard.probe;
