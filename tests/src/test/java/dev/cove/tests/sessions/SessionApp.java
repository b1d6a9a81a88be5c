package dev.cove.tests.sessions;

import dev.cove.api.Cove;
import dev.cove.api.events.LogLevel;
import dev.cove.api.sessions.Session;
import dev.cove.api.sessions.Sessions;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.instance.InstancePaths;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small application that reports through the client library, run as a process of its own:
 * {@code SessionApp DATA_DIR INSTANCE MODE APP}. It prints {@code SESSION <id>} once registered.
 * <ul>
 *   <li>{@code loop}: heartbeats and logs metrics until killed (the crash test kills it with -9); prints
 *   {@code REPORTED} once its first points are acknowledged;</li>
 *   <li>{@code clean}: reports a little, closes its session, prints {@code DONE} and exits 0.</li>
 * </ul>
 */
public final class SessionApp {
    private SessionApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        InstancePaths paths = new InstancePaths(Path.of(args[0]), args[1]);
        String mode = args[2];
        CoreClient client = Cove.client(paths).clientName("session-app", "1.0").build();
        Sessions sessions = Sessions.of(client).withHangWindow(Duration.ofSeconds(30));
        Session session = sessions.start(args[3], "1.0", Map.of("mode", mode));
        session.flush();
        System.out.println("SESSION " + session.id());
        System.out.flush();
        if (mode.equals("clean")) {
            session.state(Map.of("window", Map.of("open", List.of("w1"))));
            session.event("file_opened", Map.of("size", 1234));
            session.event("autosave_failed", LogLevel.WARN, Map.of("reason", "disk full"));
            for (int i = 0; i < 1000; i++) {
                session.metric("fps", 55 + i % 10);
            }
            session.heartbeat();
            session.close();
            client.close();
            System.out.println("DONE " + session.stats().pointsSent());
            System.out.flush();
            return;
        }
        for (long i = 0; ; i++) {
            session.heartbeat();
            session.metric("loop", i);
            if (i == 10) {
                session.flush();
                System.out.println("REPORTED");
                System.out.flush();
            }
            Thread.sleep(20);
        }
    }
}
