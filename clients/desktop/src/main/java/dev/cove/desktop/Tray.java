package dev.cove.desktop;

import javafx.application.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.AWTException;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.MenuItem;
import java.awt.PopupMenu;
import java.awt.RenderingHints;
import java.awt.SystemTray;
import java.awt.TrayIcon;
import java.awt.image.BufferedImage;
import java.util.function.Supplier;

/**
 * A system tray icon (open, status, quit) where the desktop offers one. Skipped silently when AWT is headless or
 * the desktop has no tray (many Linux desktops have none). AWT runs its own event thread: every action hops to
 * the FX thread with {@code Platform.runLater}.
 */
final class Tray {
    private static final Logger log = LoggerFactory.getLogger(Tray.class);

    private TrayIcon icon;

    /** Installs the icon off the FX thread (AWT start-up is slow); does nothing where there is no tray. */
    static Tray install(Runnable open, Supplier<String> status, Runnable quit) {
        Tray tray = new Tray();
        Thread.ofPlatform().daemon().name("cove-tray").start(() -> {
            try {
                if (GraphicsEnvironment.isHeadless() || !SystemTray.isSupported()) {
                    log.debug("no system tray here");
                    return;
                }
                PopupMenu menu = new PopupMenu();
                MenuItem openItem = new MenuItem("Open Cove");
                openItem.addActionListener(e -> Platform.runLater(open));
                MenuItem statusItem = new MenuItem("Status");
                MenuItem quitItem = new MenuItem("Quit");
                quitItem.addActionListener(e -> Platform.runLater(quit));
                menu.add(openItem);
                menu.add(statusItem);
                menu.addSeparator();
                menu.add(quitItem);
                TrayIcon icon = new TrayIcon(image(), "Cove", menu);
                icon.setImageAutoSize(true);
                icon.addActionListener(e -> Platform.runLater(open));
                statusItem.addActionListener(e -> Platform.runLater(() -> {
                    String s = status.get();
                    icon.setToolTip("Cove: " + s);
                    icon.displayMessage("Cove", s, TrayIcon.MessageType.INFO);
                }));
                SystemTray.getSystemTray().add(icon);
                tray.icon = icon;
            } catch (AWTException | RuntimeException | Error e) {
                log.info("no tray icon: {}", e.toString()); // a missing tray is normal, not an error
            }
        });
        return tray;
    }

    void tooltip(String text) {
        TrayIcon i = icon;
        if (i != null) {
            java.awt.EventQueue.invokeLater(() -> i.setToolTip(text));
        }
    }

    void remove() {
        TrayIcon i = icon;
        if (i != null) {
            java.awt.EventQueue.invokeLater(() -> SystemTray.getSystemTray().remove(i));
        }
    }

    private static BufferedImage image() {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(0x2f, 0x80, 0xed));
        g.fillRoundRect(1, 1, 30, 30, 10, 10);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
        g.drawString("C", 8, 24);
        g.dispose();
        return img;
    }
}
