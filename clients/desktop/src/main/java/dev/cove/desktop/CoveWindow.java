package dev.cove.desktop;

import dev.cove.api.Cove;
import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.Shutdown;
import javafx.animation.KeyFrame;
import javafx.animation.PauseTransition;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.image.Image;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import javafx.util.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The app's main window: libraries and files with their jobs, sessions, and the daemon's log, over a status bar.
 * Everything here runs on the FX thread; the daemon is reached only through {@link DaemonLink}, which never blocks
 * it. Controls carry stable ids ({@code #libraryList}, {@code #searchField}, {@code #jobTable}, …) for tests.
 */
public final class CoveWindow implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CoveWindow.class);
    private static final Duration SCREENSHOT_DEADLINE = Duration.seconds(90);

    private final Stage stage;
    private final DesktopOptions options;
    private final IntConsumer quit;
    private final DaemonLink link;
    private final LibrariesPane sidebar;
    private final FileBrowser browser;
    private final JobsPane jobs;
    private final SessionsPane sessions;
    private final LogConsole console;
    private final TabPane tabs = new TabPane();
    private final Scene scene;
    private Settings settings;
    private Tray tray;
    private boolean closed;

    private CoveWindow(Stage stage, DesktopOptions options, IntConsumer quit) {
        this.stage = stage;
        this.options = options;
        this.quit = quit;
        this.settings = Settings.load(options.configDir());
        this.link = new DaemonLink(options);
        this.sidebar = new LibrariesPane(link);
        this.browser = new FileBrowser(link, sidebar::locations);
        this.jobs = new JobsPane(link);
        this.sessions = new SessionsPane(link);
        this.console = new LogConsole(link);

        sidebar.selectedProperty().addListener((o, a, lib) -> browser.showLibrary(lib));
        sidebar.onOpenLocation(browser::openLocation);
        sidebar.onFileDrop((sources, target, copy) -> browser.transfer(sources, target, !copy,
                dev.cove.api.files.ConflictPolicy.KEEP_BOTH));
        browser.onJobStarted(jobs::track);
        sidebarLocationsChanged();

        SplitPane work = new SplitPane(browser, jobs);
        work.setOrientation(Orientation.VERTICAL);
        work.setDividerPositions(0.68);
        SplitPane library = new SplitPane(sidebar, work);
        library.setDividerPositions(0.22);
        SplitPane.setResizableWithParent(sidebar, false);

        Tab libraryTab = tab("libraryTab", "Library", library);
        Tab sessionsTab = tab("sessionsTab", "Sessions", sessions);
        Tab logTab = tab("logTab", "Log", console);
        tabs.setId("mainTabs");
        tabs.getTabs().setAll(libraryTab, sessionsTab, logTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        if (options.tab() != null) {
            tabs.getSelectionModel().select(switch (options.tab()) {
                case "sessions" -> sessionsTab;
                case "log" -> logTab;
                default -> libraryTab;
            });
        }

        BorderPane root = new BorderPane();
        root.setId("root");
        root.setTop(new VBox(menuBar(), banner()));
        root.setCenter(tabs);
        root.setBottom(new StatusBar(link));
        scene = new Scene(root, 1280, 800);
        applyTheme(options.theme() != null ? options.theme() : settings.theme());

        stage.setTitle(title());
        stage.getIcons().add(icon());
        stage.setScene(scene);
        stage.setOnCloseRequest(e -> quit(0));
        link.stateProperty().addListener((o, a, s) -> {
            stage.setTitle(title());
            if (tray != null) {
                tray.tooltip(title());
            }
        });
    }

    /**
     * Builds the window on {@code stage}, shows it and starts talking to the daemon. Call on the FX thread.
     *
     * @param quit what "Quit" does with an exit status (the app exits the JVM; tests just close the window)
     */
    public static CoveWindow open(Stage stage, DesktopOptions options, IntConsumer quit) {
        CoveWindow w = new CoveWindow(stage, options, quit);
        stage.show();
        w.link.start();
        if (options.tray()) {
            w.tray = Tray.install(w::bringToFront, w::statusLine, () -> w.quit(0));
        }
        if (options.screenshot() != null) {
            w.screenshotWhenLoaded(options.screenshot());
        }
        return w;
    }

    public Scene scene() {
        return scene;
    }

    public Stage stage() {
        return stage;
    }

    private static Tab tab(String id, String text, javafx.scene.Node content) {
        Tab t = new Tab(text, content);
        t.setId(id);
        return t;
    }

    private String title() {
        String inst = options.instance().isDefault() ? "" : " [" + options.instance().instance() + "]";
        String state = link.stateProperty().get() == DaemonLink.State.DISCONNECTED ? " — disconnected" : "";
        return "Cove" + inst + state;
    }

    private String statusLine() {
        DaemonStatus s = link.statusProperty().get();
        return switch (link.stateProperty().get()) {
            case CONNECTED -> s == null ? "connected" : "connected to Cove " + s.version() + ", instance " + s.instance()
                    + ", up " + Fx.duration(s.uptimeMillis() / 1000) + ", " + s.clients() + " clients";
            case CONNECTING -> "connecting…";
            case DISCONNECTED -> "disconnected: " + link.problemProperty().get();
        };
    }

    private void sidebarLocationsChanged() {
        // the browser's "locations" view and its Up button follow the sidebar's list
        PauseTransition soon = new PauseTransition(Duration.millis(50));
        soon.setOnFinished(e -> {
            if (browser.view() instanceof FileBrowser.View.Roots) {
                browser.reload();
            }
        });
        sidebar.locationItems().addListener((javafx.collections.ListChangeListener<Object>) c -> soon.playFromStart());
    }

    private MenuBar menuBar() {
        MenuItem start = new MenuItem("Start daemon");
        start.setOnAction(e -> link.startDaemon());
        start.disableProperty().bind(link.stateProperty().isEqualTo(DaemonLink.State.CONNECTED));
        MenuItem status = new MenuItem("Daemon status…");
        status.setOnAction(e -> showStatus());
        MenuItem shutdown = new MenuItem("Shut down daemon…");
        shutdown.disableProperty().bind(link.stateProperty().isNotEqualTo(DaemonLink.State.CONNECTED));
        shutdown.setOnAction(e -> shutdownDaemon());
        MenuItem quitItem = new MenuItem("Quit");
        quitItem.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quitItem.setOnAction(e -> quit(0));
        Menu cove = new Menu("Cove", null, start, status, shutdown, new SeparatorMenuItem(), quitItem);

        CheckMenuItem dark = new CheckMenuItem("Dark theme");
        dark.setId("darkThemeToggle");
        dark.setSelected(isDark());
        dark.setAccelerator(KeyCombination.keyCombination("Shortcut+T"));
        dark.setOnAction(e -> {
            String theme = dark.isSelected() ? "dark" : "light";
            applyTheme(theme);
            settings = settings.withTheme(theme);
            Settings s = settings;
            link.background(() -> s.save(options.configDir()));
        });
        MenuItem search = new MenuItem("Search files");
        search.setAccelerator(KeyCombination.keyCombination("Shortcut+F"));
        search.setOnAction(e -> {
            tabs.getSelectionModel().select(0);
            scene.lookup("#searchField").requestFocus();
        });
        Menu view = new Menu("View", null, dark, new SeparatorMenuItem(), search,
                goTo("Library", 0, "Shortcut+1"), goTo("Sessions", 1, "Shortcut+2"), goTo("Log", 2, "Shortcut+3"));

        MenuItem about = new MenuItem("About Cove");
        about.setOnAction(e -> {
            Alert a = new Alert(Alert.AlertType.INFORMATION, "Cove desktop " + Cove.VERSION + "\nJavaFX "
                    + System.getProperty("javafx.runtime.version") + ", Java " + Runtime.version()
                    + "\nInstance '" + options.instance().instance() + "' in " + options.instance().dataDir()
                    + "\nSettings in " + options.configDir().resolve(Settings.FILE), ButtonType.OK);
            a.initOwner(stage);
            a.setHeaderText("Cove");
            a.show();
        });
        MenuBar bar = new MenuBar(cove, view, new Menu("Help", null, about));
        bar.setId("menuBar");
        return bar;
    }

    private MenuItem goTo(String name, int index, String keys) {
        MenuItem m = new MenuItem(name);
        m.setAccelerator(KeyCombination.keyCombination(keys));
        m.setOnAction(e -> tabs.getSelectionModel().select(index));
        return m;
    }

    /** The banner shown while the daemon is away: why, and that the app keeps trying. */
    private HBox banner() {
        Label text = new Label();
        text.setId("connectionBannerText");
        text.setWrapText(true);
        text.textProperty().bind(Bindings.createStringBinding(() -> {
            String p = link.problemProperty().get();
            return "The Cove daemon for instance '" + options.instance().instance() + "' is not reachable"
                    + (p == null || p.isBlank() ? "" : ": " + p) + ". Reconnecting…";
        }, link.problemProperty()));
        HBox box = new HBox(8, text, Fx.spacer(), Fx.button("retryButton", "Retry now", null, link::retryNow),
                Fx.button("startDaemonButton", "Start daemon", "Start a daemon for this instance", link::startDaemon));
        box.setId("connectionBanner");
        box.getStyleClass().add("banner");
        box.setAlignment(Pos.CENTER_LEFT);
        box.setPadding(new Insets(8, 12, 8, 12));
        BooleanBinding down = link.stateProperty().isEqualTo(DaemonLink.State.DISCONNECTED);
        box.visibleProperty().bind(down);
        box.managedProperty().bind(down);
        return box;
    }

    private void showStatus() {
        link.refreshStatus();
        DaemonStatus s = link.statusProperty().get();
        String body = s == null ? statusLine() : String.join("\n", List.of(
                "Instance: " + s.instance() + (s.privateInstance() ? " (private)" : ""),
                "Version: " + s.version() + " (protocol " + s.protocol() + ")",
                "PID: " + s.pid() + ", Java " + s.javaVersion(),
                "Up since: " + Fx.dateTime(s.startedAt()) + " (" + Fx.duration(s.uptimeMillis() / 1000) + ")",
                "Clients: " + s.clients() + ", subscriptions: " + s.subscriptions() + ", methods: " + s.methods(),
                "Heap: " + Fx.bytes(s.heapUsedBytes()) + " of " + Fx.bytes(s.heapMaxBytes())
                        + (s.rssBytes() >= 0 ? ", resident " + Fx.bytes(s.rssBytes()) : "") + ", threads: " + s.threads(),
                "Socket: " + s.socket(), "Data: " + s.instanceDataDir(), "Log: " + s.logFile()));
        Alert a = new Alert(Alert.AlertType.INFORMATION, body, ButtonType.OK);
        a.initOwner(stage);
        a.setTitle("Daemon status");
        a.setHeaderText(statusLine());
        a.show();
    }

    private void shutdownDaemon() {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Stop the Cove daemon of instance '"
                + options.instance().instance() + "'? Running jobs are interrupted and every client is disconnected.",
                ButtonType.CANCEL, ButtonType.OK);
        a.initOwner(stage);
        a.setHeaderText(null);
        a.setOnHidden(e -> {
            if (a.getResult() == ButtonType.OK) {
                link.call(new Shutdown("requested from the desktop app")).whenComplete((r, ex) -> {
                    if (ex != null) {
                        Fx.error(tabs, "Cannot shut the daemon down", ex);
                    }
                });
            }
        });
        a.show();
    }

    private boolean isDark() {
        return scene == null || scene.getStylesheets().stream().anyMatch(s -> s.endsWith("dark.css"));
    }

    private void applyTheme(String theme) {
        String base = Objects.requireNonNull(CoveWindow.class.getResource("base.css")).toExternalForm();
        String colours = Objects.requireNonNull(CoveWindow.class.getResource(theme + ".css")).toExternalForm();
        scene.getStylesheets().setAll(base, colours);
    }

    private void bringToFront() {
        stage.setIconified(false);
        stage.show();
        stage.toFront();
    }

    private static Image icon() {
        int n = 64;
        WritableImage img = new WritableImage(n, n);
        Color blue = Color.web("#2f80ed");
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double dx = x - n / 2.0 + 0.5;
                double dy = y - n / 2.0 + 0.5;
                double r = Math.sqrt(dx * dx + dy * dy);
                // a ring open to the right: a "C"
                boolean ring = r > n * 0.22 && r < n * 0.44 && !(dx > 0 && Math.abs(dy) < n * 0.12);
                img.getPixelWriter().setColor(x, y, ring ? blue : Color.TRANSPARENT);
            }
        }
        return img;
    }

    /** Snapshot once every view has its first answer (or after a deadline), then quit. */
    private void screenshotWhenLoaded(Path file) {
        long deadline = System.nanoTime() + (long) (SCREENSHOT_DEADLINE.toMillis() * 1e6);
        Timeline poll = new Timeline();
        poll.getKeyFrames().add(new KeyFrame(Duration.millis(200), e -> {
            sessions.selectFirst();
            boolean ready = sidebar.isLoaded() && browser.isLoaded() && sessions.isLoaded()
                    && (sessions.sessions().isEmpty() || sessions.isDetailLoaded());
            boolean late = System.nanoTime() > deadline;
            if (ready || late) {
                poll.stop();
                if (late) {
                    log.warn("screenshot: not everything loaded within {} s; taking it anyway", SCREENSHOT_DEADLINE.toSeconds());
                }
                // one more moment for charts and layout to settle after the last answers
                PauseTransition settle = new PauseTransition(Duration.millis(1500));
                settle.setOnFinished(x -> {
                    try {
                        Snapshot.write(scene, file);
                        log.info("screenshot written to {}", file);
                        quit(ready ? 0 : 1);
                    } catch (IOException ex) {
                        log.error("cannot write the screenshot to {}: {}", file, ex.toString());
                        quit(1);
                    }
                });
                settle.play();
            }
        }));
        poll.setCycleCount(Timeline.INDEFINITE);
        poll.play();
    }

    private void quit(int status) {
        close();
        quit.accept(status);
    }

    /** Stops talking to the daemon and closes the window. Call on the FX thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (tray != null) {
            tray.remove();
        }
        link.close();
        stage.close();
    }
}
