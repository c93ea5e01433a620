/**
 * Publishes the guard's state: the status file, the loopback HTTP endpoint ({@code /health},
 * {@code /health/liveness}, {@code /health/readiness}, {@code /metrics}) and the MXBean. It sits
 * on top: the guard's flow tells it what happened through {@link dev.profguard.act.StateListener}
 * and never imports it; it is loaded only when {@code health.port} or {@code status.file} is set.
 */
package dev.profguard.health;
