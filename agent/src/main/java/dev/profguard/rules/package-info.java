/**
 * Rules are data: what a profiler client looks like (its exported symbols, file names, environment
 * variables, capture files). The built-in rules for MTuner's client ship as a resource; a rules
 * file adds more. Nothing here reads a process: detectors do that.
 */
package dev.profguard.rules;
