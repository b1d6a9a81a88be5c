package dev.cove.desktop;

import javafx.application.Platform;
import javafx.stage.Stage;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code cove desktop}: starts the JavaFX toolkit and opens the {@link CoveWindow}. Not an {@code Application}
 * subclass: JavaFX is on the class path here, where the launcher refuses to start an Application main class.
 */
public final class DesktopMain {
    private DesktopMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<String> list = List.of(args);
        if (list.contains("--help") || list.contains("-h")) {
            System.out.print(DesktopOptions.USAGE);
            return;
        }
        DesktopOptions options;
        try {
            options = DesktopOptions.parse(list, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("cove desktop: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        int[] status = {0};
        Platform.setImplicitExit(false); // the window's close request decides when to leave
        Platform.startup(() -> CoveWindow.open(new Stage(), options, code -> {
            status[0] = code;
            Platform.exit();
            done.countDown();
        }));
        done.await();
        // AWT (the tray icon) keeps non-daemon threads alive: leave explicitly
        System.exit(status[0]);
    }
}
