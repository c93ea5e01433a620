/**
 * What operators run: the command line of the agent jar ({@code java -jar profguard-agent.jar}).
 * It reuses the agent's detectors and rules; it never copies them.
 */
package dev.profguard.ops;
