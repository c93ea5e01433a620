/**
 * Rules are data: what a profiler client looks like (its exported symbols, marks, file names,
 * environment variables, capture files by name and header). The built-in rules are a text
 * constant in the rules-file format ({@code BuiltinRules}), parsed by the same parser as a user's
 * rules file. Nothing here reads a process: detectors do that.
 */
package dev.profguard.rules;
