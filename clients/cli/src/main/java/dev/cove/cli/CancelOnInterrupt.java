package dev.cove.cli;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an action on Ctrl-C (SIGINT) instead of exiting, while a job is followed: Ctrl-C for a CLI that is a process
 * of its own ({@link CliContext#ofProcess}) or runs in a program's JVM. Uses a signal handler
 * ({@code sun.misc.Signal}); where that is unavailable (e.g. {@code -Xrs}), a shutdown hook runs the action as the
 * JVM exits. A shutdown hook also covers SIGTERM and SIGHUP.
 */
final class CancelOnInterrupt {
    /** Presses after which a process of its own leaves at once, whatever the command is stuck in. */
    private static final int LAST_PRESS = 3;

    private CancelOnInterrupt() {
    }

    /**
     * Installs the action until the registration is closed.
     *
     * @param ownsProcess whether the third Ctrl-C may halt the JVM: the command got two chances to stop (the
     *                    first cancels, the second interrupts it) and may be stuck where no interrupt reaches
     */
    @SuppressWarnings("removal")
    static CliContext.Registration register(Runnable action, boolean ownsProcess) {
        sun.misc.Signal sigint = new sun.misc.Signal("INT");
        AtomicInteger presses = new AtomicInteger();
        sun.misc.SignalHandler previous = null;
        try {
            previous = sun.misc.Signal.handle(sigint, s -> {
                if (presses.incrementAndGet() >= LAST_PRESS && ownsProcess) {
                    Runtime.getRuntime().halt(JobProgress.INTERRUPTED);
                }
                Thread.ofPlatform().daemon().name("cove-cancel").start(action);
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // signals are reserved for the JVM: the shutdown hook below still cancels the job
        }
        Thread hook = new Thread(action, "cove-cancel-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        sun.misc.SignalHandler restore = previous;
        return () -> {
            if (restore != null) {
                sun.misc.Signal.handle(sigint, restore);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is exiting already
            }
        };
    }
}
