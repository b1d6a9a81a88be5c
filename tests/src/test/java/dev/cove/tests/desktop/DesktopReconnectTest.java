package dev.cove.tests.desktop;

import dev.cove.tests.support.DaemonProcess;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.cove.tests.desktop.DesktopApp.await;

/** The app notices a daemon going away, says so in a banner, and reconnects by itself when one is back. */
class DesktopReconnectTest {
    @TempDir
    Path tmp;

    @Test
    void bannerWhileTheDaemonIsGoneThenReconnects() {
        Path data = tmp.resolve("data");
        DaemonProcess first = DaemonProcess.start(data, "desk-reconnect");
        try (DesktopApp app = DesktopApp.open(first.paths())) {
            HBox banner = app.node("#connectionBanner");
            Label connection = app.node("#statusConnection");
            Label version = app.node("#statusVersion");
            await(() -> connection.getText().contains("connected") && !banner.isVisible()
                            && version.getText().contains("pid " + first.pid()),
                    () -> connection.getText() + " / " + version.getText(), "connected to the first daemon");

            first.close(); // SIGKILL: no goodbye, the connection just drops
            Label text = app.node("#connectionBannerText");
            await(() -> banner.isVisible() && text.getText().contains("not reachable")
                    && connection.getText().contains("disconnected"), text::getText, "the banner saying the daemon is gone");

            try (DaemonProcess second = DaemonProcess.start(data, "desk-reconnect")) {
                await(() -> !banner.isVisible() && connection.getText().contains("connected")
                                && version.getText().contains("pid " + second.pid()),
                        () -> connection.getText() + " / " + version.getText() + " / banner " + banner.isVisible(),
                        "reconnected to the new daemon by itself");
            }
        } finally {
            first.close();
        }
    }
}
