package dev.cove.desktop;

import dev.cove.api.core.DaemonStatus;
import dev.cove.api.events.ClientConnected;
import dev.cove.api.events.ClientDisconnected;
import javafx.animation.KeyFrame;
import javafx.animation.PauseTransition;
import javafx.animation.Timeline;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.util.Duration;

/** Instance, daemon version, uptime and connected clients; the connection state as a coloured dot. */
final class StatusBar extends HBox {
    private final DaemonLink link;
    private final Label connection = Fx.label("statusConnection", "connecting…", "status-item");
    private final Label instance = Fx.label("statusInstance", "", "status-item");
    private final Label version = Fx.label("statusVersion", "", "status-item");
    private final Label uptime = Fx.label("statusUptime", "", "status-item");
    private final Label clients = Fx.label("statusClients", "", "status-item");
    private final PauseTransition statusSoon = new PauseTransition(Duration.millis(300));

    StatusBar(DaemonLink link) {
        this.link = link;
        setId("statusBar");
        getStyleClass().add("status-bar");
        setSpacing(14);
        setAlignment(Pos.CENTER_LEFT);
        setPadding(new Insets(3, 10, 3, 10));
        instance.setText("instance " + link.options().instance().instance());
        getChildren().addAll(connection, instance, version, uptime, clients, Fx.spacer(),
                Fx.label(null, link.options().instance().dataDir().toString(), "muted"));

        link.stateProperty().addListener((o, a, s) -> showState());
        link.statusProperty().addListener((o, a, s) -> showStatus());
        statusSoon.setOnFinished(e -> link.refreshStatus());
        link.onEvent(e -> {
            if (e instanceof ClientConnected || e instanceof ClientDisconnected) {
                statusSoon.playFromStart();
            }
        });
        // uptime ticks locally; the daemon is asked again now and then for clients and memory
        Timeline tick = new Timeline(new KeyFrame(Duration.seconds(1), e -> showStatus()));
        tick.setCycleCount(Timeline.INDEFINITE);
        tick.play();
        Timeline poll = new Timeline(new KeyFrame(Duration.seconds(10), e -> link.refreshStatus()));
        poll.setCycleCount(Timeline.INDEFINITE);
        poll.play();
        showState();
    }

    private void showState() {
        connection.getStyleClass().removeAll("state-connected", "state-connecting", "state-disconnected");
        switch (link.stateProperty().get()) {
            case CONNECTED -> {
                connection.setText("● connected");
                connection.getStyleClass().add("state-connected");
            }
            case CONNECTING -> {
                connection.setText("● connecting…");
                connection.getStyleClass().add("state-connecting");
            }
            case DISCONNECTED -> {
                connection.setText("● disconnected");
                connection.getStyleClass().add("state-disconnected");
            }
        }
        showStatus();
    }

    private void showStatus() {
        DaemonStatus s = link.statusProperty().get();
        if (s == null) {
            return;
        }
        boolean up = link.stateProperty().get() == DaemonLink.State.CONNECTED;
        version.setText("Cove " + s.version() + " (pid " + s.pid() + ")");
        long secs = Math.max(0, (System.currentTimeMillis() - s.startedAt().toEpochMilli()) / 1000);
        uptime.setText(up ? "up " + Fx.duration(secs) : "was up " + Fx.duration(s.uptimeMillis() / 1000));
        clients.setText(s.clients() + (s.clients() == 1 ? " client" : " clients"));
    }
}
