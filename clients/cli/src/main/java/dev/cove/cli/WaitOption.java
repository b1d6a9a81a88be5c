package dev.cove.cli;

import picocli.CommandLine.Option;

/** {@code --wait/--no-wait} for commands that start a job: by default they wait only on a terminal. */
public final class WaitOption {
    @Option(names = "--wait", negatable = true, description = "Wait for the job to finish, showing its progress "
            + "(default: only when stdout is a terminal).")
    Boolean wait;

    /** Whether to follow the job's progress until it ends. */
    public boolean follow(CoveCli cove) {
        return wait != null ? wait : cove.terminal();
    }
}
