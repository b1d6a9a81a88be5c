package dev.cove.cli;

/**
 * Runs an action on Ctrl-C (SIGINT) instead of exiting, while a job is followed. Uses a signal handler
 * ({@code sun.misc.Signal}); where that is unavailable (e.g. {@code -Xrs}), a shutdown hook runs the action as
 * the JVM exits. A shutdown hook also covers SIGTERM and SIGHUP.
 */
final class CancelOnInterrupt {
    private CancelOnInterrupt() {
    }

    /** Installs the action; the returned runnable uninstalls it. */
    @SuppressWarnings("removal")
    static Runnable install(Runnable action) {
        sun.misc.Signal sigint = new sun.misc.Signal("INT");
        sun.misc.SignalHandler previous = null;
        try {
            previous = sun.misc.Signal.handle(sigint, s -> Thread.ofPlatform().daemon().name("cove-cancel").start(action));
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
