package dev.profguard.scan;

import dev.profguard.detect.Strength;

import java.util.List;

/**
 * What a scan found.
 *
 * @param findings       what the engine found, in the order met
 * @param problems       what could not be inspected (never counted in files or members)
 * @param links          the symbolic links met on disk
 * @param files          files on disk judged
 * @param members        archive members judged
 * @param archiveLinks   link members of archives (not followed: their targets are members too)
 * @param images         container images whose layers were applied
 * @param removedByLayers findings about files a later image layer replaced or deleted (not reported)
 */
public record ScanResult(List<ScanFinding> findings, List<Problem> problems, List<Link> links, long files,
                         long members, long archiveLinks, long images, long removedByLayers) {
    /** 0 clean, 1 something found, 2 something could not be inspected (and nothing found). */
    public int status() {
        return !findings.isEmpty() ? 1 : problems.isEmpty() ? 0 : 2;
    }

    public boolean hasStrong() {
        return findings.stream().anyMatch(f -> f.finding().strength() == Strength.STRONG);
    }

    /** "scanned 12 files and 340 archive members: 1 finding, 0 not inspected" */
    public String summary() {
        StringBuilder text = new StringBuilder("scanned ").append(files).append(files == 1 ? " file" : " files");
        text.append(" and ").append(members).append(members == 1 ? " archive member" : " archive members");
        if (images > 0) {
            text.append(" (").append(images).append(images == 1 ? " container image" : " container images").append(')');
        }
        text.append(": ").append(findings.size()).append(findings.size() == 1 ? " finding, " : " findings, ")
                .append(problems.size()).append(" not inspected");
        if (!links.isEmpty()) {
            text.append(", ").append(links.size()).append(links.size() == 1 ? " symbolic link" : " symbolic links");
        }
        if (removedByLayers > 0) {
            text.append(", ").append(removedByLayers).append(" found only in files a later layer removed");
        }
        return text.toString();
    }
}
