package dev.cove.api.cli;

/**
 * The CLI as the daemon runs it: implemented by the CLI's jar, which the daemon loads by class loader (the daemon
 * does not depend on the CLI), found with {@link java.util.ServiceLoader}. Many invocations run at once; none may
 * exit the process or touch process-wide state (System.out, System.in, the working folder, signal handlers).
 */
public interface HostedCli {
    /** Whether this command line must run in a process of its own (see {@link CliExit#local()}). */
    boolean runsLocally(java.util.List<String> args);

    /** Runs the command line and returns its exit status; what it prints goes to the invocation's streams. */
    int run(CliInvocation invocation);
}
