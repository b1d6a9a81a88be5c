package dev.cove.daemon;

import java.util.List;

/** {@code cove daemon}: runs a daemon in the foreground until it is told to stop. */
public final class DaemonMain {
    private DaemonMain() {
    }

    public static void main(String[] args) {
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new Daemon(options).run());
    }
}
