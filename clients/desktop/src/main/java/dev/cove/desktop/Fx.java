package dev.cove.desktop;

import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.Window;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Small helpers for the views: formatting and dialogs. */
final class Fx {
    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private Fx() {
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String units = "KMGTPE";
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %siB" : "%.1f %siB", v, units.charAt(u));
    }

    static String dateTime(Instant t) {
        return t == null ? "" : DATE_TIME.format(t);
    }

    /** "3 h 02 min", "42 s": a duration for people. */
    static String duration(long seconds) {
        if (seconds < 0) {
            return "";
        }
        Duration d = Duration.ofSeconds(seconds);
        if (d.toDays() > 0) {
            return d.toDays() + " d " + d.toHoursPart() + " h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + " h " + String.format("%02d", d.toMinutesPart()) + " min";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + " min " + String.format("%02d", d.toSecondsPart()) + " s";
        }
        return d.toSeconds() + " s";
    }

    static Button button(String id, String text, String tip, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        if (tip != null) {
            b.setTooltip(new Tooltip(tip));
        }
        b.setOnAction(e -> action.run());
        return b;
    }

    static Region spacer() {
        Region r = new Region();
        HBox.setHgrow(r, Priority.ALWAYS);
        return r;
    }

    static Label label(String id, String text, String styleClass) {
        Label l = new Label(text);
        if (id != null) {
            l.setId(id);
        }
        if (styleClass != null) {
            l.getStyleClass().add(styleClass);
        }
        return l;
    }

    static Window window(Node n) {
        return n.getScene() == null ? null : n.getScene().getWindow();
    }

    /** Shows what went wrong, in the daemon's own words. Does not wait. */
    static void error(Node owner, String what, Throwable t) {
        Alert a = new Alert(Alert.AlertType.ERROR, "", ButtonType.OK);
        a.initOwner(window(owner));
        a.setTitle("Cove");
        a.setHeaderText(what);
        String msg = DaemonLink.message(t);
        TextArea text = new TextArea(msg);
        text.setId("errorText");
        text.setEditable(false);
        text.setWrapText(true);
        text.setPrefRowCount(Math.min(12, 2 + msg.length() / 70));
        a.getDialogPane().setContent(text);
        a.getDialogPane().setId("errorDialog");
        a.show();
    }
}
