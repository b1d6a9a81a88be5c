package dev.cove.api.jobs;

/** A job's life: QUEUED → RUNNING ⇄ PAUSED → COMPLETED | FAILED | CANCELLED; INTERRUPTED when the daemon died under it. */
public enum JobState {
    QUEUED, RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED,
    /** The daemon stopped or crashed while the job ran; found and marked on the next start. */
    INTERRUPTED;

    public boolean isFinished() {
        return this == COMPLETED || this == FAILED || this == CANCELLED || this == INTERRUPTED;
    }
}
