package dev.cove.tests.desktop;

import dev.cove.desktop.CoveWindow;
import dev.cove.desktop.DesktopOptions;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.tests.support.Await;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The real desktop app, in this JVM, against a real daemon: {@link #open} starts the JavaFX toolkit (headless,
 * with Monocle, unless {@code -Dcove.desktop.visible=true}) and opens a {@link CoveWindow} on an instance.
 */
final class DesktopApp implements AutoCloseable {
    /** Generous: the machine is small and shared with other builds. */
    static final Duration TIMEOUT = Duration.ofSeconds(40);

    private final CoveWindow window;
    final Path configDir;

    private DesktopApp(CoveWindow window, Path configDir) {
        this.window = window;
        this.configDir = configDir;
    }

    /**
     * Headless JavaFX, set here rather than in the shared surefire configuration: these properties are read
     * when the toolkit starts, which is after this runs.
     */
    static void headless() {
        if (Boolean.getBoolean("cove.desktop.visible")) {
            return; // watch the tests on a real display
        }
        System.setProperty("testfx.headless", "true");
        System.setProperty("testfx.robot", "glass");
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("prism.text", "t2k");
        System.setProperty("java.awt.headless", "true");
    }

    static DesktopApp open(InstancePaths instance) {
        headless();
        try {
            FxToolkit.registerPrimaryStage();
            Platform.setImplicitExit(false); // several test classes open and close windows in one toolkit
            Path config = Files.createTempDirectory("cove-desktop-config");
            DesktopOptions options = DesktopOptions.forInstance(instance, config);
            CoveWindow w = WaitForAsyncUtils.asyncFx(() -> CoveWindow.open(new Stage(), options, status -> { }))
                    .get(30, TimeUnit.SECONDS);
            return new DesktopApp(w, config);
        } catch (TimeoutException | ExecutionException e) {
            throw new AssertionError("the desktop app did not open", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    CoveWindow window() {
        return window;
    }

    /** Runs on the FX thread and returns the result: how tests read what the UI shows. */
    static <T> T fx(Callable<T> c) {
        try {
            return WaitForAsyncUtils.asyncFx(c).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the FX thread did not answer within 20 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until a condition, evaluated on the FX thread, holds. */
    static void await(String what, Callable<Boolean> condition) {
        Await.until(TIMEOUT, () -> fx(condition), what);
    }

    /** Waits for a condition, with a description that includes what the UI showed (for failures). */
    static void await(Callable<Boolean> condition, Callable<String> shown, String what) {
        Await.until(TIMEOUT, () -> fx(condition), () -> what + "; the UI shows: " + fx(shown));
    }

    <T extends Node> T node(String selector) {
        @SuppressWarnings("unchecked")
        T n = (T) fx(() -> window.scene().lookup(selector));
        if (n == null) {
            throw new AssertionError("no node " + selector + " in the window");
        }
        return n;
    }

    /** The text every visible cell of each rendered row shows, one string per row: what a user reads. */
    static List<String> rowTexts(TableView<?> table) {
        List<String> rows = new ArrayList<>();
        for (Node n : table.lookupAll(".table-row-cell")) {
            if (n instanceof TableRow<?> r && !r.isEmpty() && r.getItem() != null && r.isVisible()) {
                List<String> texts = new ArrayList<>();
                collect(r, texts);
                rows.add(String.join(" | ", texts));
            }
        }
        return rows;
    }

    private static void collect(Node n, List<String> out) {
        if (n instanceof Labeled l && l.getText() != null && !l.getText().isBlank()) {
            out.add(l.getText());
        }
        if (n instanceof Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                collect(c, out);
            }
        }
    }

    @Override
    public void close() {
        fx(() -> {
            window.close();
            return null;
        });
    }
}
