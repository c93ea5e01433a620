/**
 * Resolves profguard's options from agent arguments, {@code profguard.*} system properties and
 * {@code PROFGUARD_*} environment variables, in that order of precedence, and rejects anything
 * malformed with a {@link dev.profguard.config.ConfigException} that names the option.
 * It reads nothing of the process beyond those three maps.
 */
package dev.profguard.config;
