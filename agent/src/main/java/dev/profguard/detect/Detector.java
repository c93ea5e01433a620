package dev.profguard.detect;

import java.util.List;

/** Looks at one part of a process for what the rules describe; the judging is {@link Evidence}'s. */
public interface Detector {
    /** Never throws for anything the process contains; a check that cannot run is a finding. */
    List<Finding> scan(ProcessView view, Evidence evidence);
}
