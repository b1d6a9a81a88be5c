package dev.cove.daemon;

import dev.cove.daemon.supervise.Supervisor;

import java.util.ArrayList;
import java.util.List;

/** {@code cove daemon}: runs a daemon in the foreground until it is told to stop. */
public final class DaemonMain {
    private DaemonMain() {
    }

    public static void main(String[] args) {
        List<String> list = new ArrayList<>(List.of(args));
        // --supervise: run the supervisor, which runs this class again (without the flag) as its child
        if (list.remove("--supervise")) {
            System.exit(Supervisor.run(list));
            return;
        }
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(list);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new Daemon(options).run());
    }
}
