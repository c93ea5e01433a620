package dev.profguard.config;

/** How profguard's own lines on stderr look (option {@code log.format}). */
public enum LogFormat {
    TEXT,
    JSON
}
