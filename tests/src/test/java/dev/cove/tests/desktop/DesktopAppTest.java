package dev.cove.tests.desktop;

import dev.cove.api.events.LogMessage;
import dev.cove.api.files.FileEntry;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.libraries.ListLibraries;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.sessions.RegisterSession;
import dev.cove.api.sessions.SessionInfo;
import dev.cove.api.sessions.SessionRegistered;
import dev.cove.api.sessions.SessionStatus;
import dev.cove.rpc.client.CoreClient;
import dev.cove.tests.support.Await;
import dev.cove.tests.support.Reaper;
import dev.cove.tests.support.SharedDaemon;
import javafx.scene.control.ListView;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.cove.tests.desktop.DesktopApp.await;
import static dev.cove.tests.desktop.DesktopApp.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The desktop app driven like a user drives it (clicks, typing, context menus), headless, against a real daemon
 * process. Each test makes its own library and folders, so they do not depend on one another's order.
 */
class DesktopAppTest extends FxRobot {
    @RegisterExtension
    static final SharedDaemon shared = SharedDaemon.withTestPlugin("desktop");

    @TempDir
    static Path tmp;

    static DesktopApp app;
    static CoreClient client;

    @BeforeAll
    static void openApp() {
        client = shared.daemon().client();
        app = DesktopApp.open(shared.daemon().paths());
        await("the app to connect", () -> ((javafx.scene.control.Label) app.window().scene().lookup("#statusConnection"))
                .getText().contains("connected") && !app.window().scene().lookup("#connectionBanner").isVisible());
    }

    @AfterAll
    static void closeApp() {
        if (app != null) {
            app.close();
        }
    }

    /** A folder of small files, plus one named {@code needle-….txt} for searches. */
    static Path tree(String name, int files) throws IOException {
        Path root = Files.createDirectories(tmp.resolve(name));
        Random r = new Random(name.hashCode());
        for (int i = 0; i < files; i++) {
            Path dir = Files.createDirectories(root.resolve("sub" + (i % 5)));
            byte[] bytes = new byte[100 + r.nextInt(4000)];
            r.nextBytes(bytes);
            Files.write(dir.resolve("file-" + i + ".dat"), bytes);
        }
        Files.writeString(root.resolve("needle-" + name + ".txt"), "found me");
        return root;
    }

    /** Clicks a node once it is drawn: a list may hold an item a pulse before a cell shows it. */
    private void clickWhenShown(String query) {
        await(() -> lookup(query).tryQuery().filter(javafx.scene.Node::isVisible).isPresent(),
                () -> "windows " + javafx.stage.Window.getWindows(), "'" + query + "' on screen");
        clickOn(query);
    }

    /**
     * Right-click. Monocle's headless mouse sends no context-menu request (a real desktop's Glass turns the right
     * button into one), so this delivers the event Glass would, at the node's centre.
     */
    private void contextMenuOn(String query) {
        javafx.scene.Node n = lookup(query).query();
        rightClickOn(n);
        fx(() -> {
            javafx.geometry.Bounds b = n.localToScreen(n.getBoundsInLocal());
            javafx.geometry.Point2D local = n.screenToLocal(b.getCenterX(), b.getCenterY());
            javafx.event.Event.fireEvent(n, new javafx.scene.input.ContextMenuEvent(
                    javafx.scene.input.ContextMenuEvent.CONTEXT_MENU_REQUESTED, local.getX(), local.getY(),
                    b.getCenterX(), b.getCenterY(), false, new javafx.scene.input.PickResult(n, b.getCenterX(), b.getCenterY())));
            return null;
        });
    }

    private void selectTab(int index) {
        TabPane tabs = app.node("#mainTabs");
        fx(() -> {
            tabs.getSelectionModel().select(index);
            return null;
        });
    }

    private void selectLibrary(String name) {
        ListView<LibraryInfo> list = app.node("#libraryList");
        await("library " + name + " to be listed", () -> list.getItems().stream().anyMatch(l -> l.name().equals(name)));
        clickWhenShown(name);
        await("library " + name + " to be selected", () -> list.getSelectionModel().getSelectedItem() != null
                && list.getSelectionModel().getSelectedItem().name().equals(name));
    }

    private static List<String> names(TableView<FileEntry> table) {
        return table.getItems().stream().map(FileEntry::name).toList();
    }

    @Test
    void createLibraryAddFolderSeeFilesAndSearch() throws IOException {
        selectTab(0);
        Path folder = tree("photos", 60);

        clickOn("#newLibraryButton");
        clickWhenShown("#libraryNameInput");
        clickOn("#libraryNameInput").write("Holiday Photos").type(KeyCode.ENTER);
        ListView<LibraryInfo> libraries = app.node("#libraryList");
        await("the new library to be listed and selected", () -> libraries.getSelectionModel().getSelectedItem() != null
                && libraries.getSelectionModel().getSelectedItem().name().equals("Holiday Photos"));
        assertTrue(client.call(new ListLibraries()).libraries().stream().anyMatch(l -> l.name().equals("Holiday Photos")),
                "the daemon has the library");

        clickOn("#addLocationButton");
        clickWhenShown("#locationPathField");
        clickOn("#locationPathField").write(folder.toString()).type(KeyCode.ENTER);

        // one location: the browser opens its folder, and shows the index once the scan is done
        TableView<FileEntry> files = app.node("#fileTable");
        await(() -> names(files).containsAll(List.of("sub0", "sub4", "needle-photos.txt")), () -> names(files).toString(),
                "the location's folders and files in the browser");
        clickWhenShown("sub3");
        doubleClickOn("sub3");
        await(() -> names(files).contains("file-3.dat") && names(files).size() == 12, () -> names(files).toString(),
                "the files of sub3");

        clickOn("#searchField").write("needle");
        await(() -> names(files).equals(List.of("needle-photos.txt")), () -> names(files).toString(),
                "the search to answer with the one match");
        // typing on: the answer follows the latest text, never an older one
        write("-nothing");
        await(() -> files.getItems().isEmpty(), () -> names(files).toString(), "no match for needle-nothing");
        for (int i = 0; i < "-nothing".length(); i++) {
            type(KeyCode.BACK_SPACE);
        }
        await(() -> names(files).equals(List.of("needle-photos.txt")), () -> names(files).toString(),
                "the match again after deleting the extra text");
        type(KeyCode.ESCAPE);
        await(() -> names(files).contains("file-3.dat"), () -> names(files).toString(), "the folder back after the search");
    }

    @Test
    void namesThatAreNotUtf8OrHoldControlCharactersAreShownEscaped() throws Exception {
        selectTab(0);
        Path folder = Files.createDirectories(tmp.resolve("byte-names"));
        // made by the shell: no Java string names the first two
        Process sh = new ProcessBuilder("bash", "-c", "cd \"$1\" && printf a > \"$(printf '\\377\\376.txt')\" "
                + "&& printf b > \"$(printf '\\376\\377.txt')\" && printf c > \"$(printf 'new\\nline')\"", "sh",
                folder.toString()).inheritIO().start();
        assertEquals(0, sh.waitFor(), "the shell made the files");
        LibraryInfo lib = client.call(new CreateLibrary("Byte Names"));
        client.call(new AddLocation(lib.id(), folder.toString()));
        selectLibrary("Byte Names");

        TableView<FileEntry> files = app.node("#fileTable");
        await(() -> names(files).size() == 3 && DesktopApp.rowTexts(files).size() == 3, () -> DesktopApp.rowTexts(files).toString(),
                "three entries, one per name, in the browser");
        List<String> rows = DesktopApp.rowTexts(files);
        for (String shown : List.of("$'\\377\\376''.txt'", "$'\\376\\377''.txt'", "'new'$'\\n''line'")) {
            assertTrue(rows.stream().anyMatch(r -> r.contains(shown)), shown + " in " + rows);
        }
        assertTrue(rows.stream().noneMatch(r -> r.contains("\n") || r.contains("\uFFFD")), "nothing raw, nothing lost: " + rows);
    }

    @Test
    void copyFromContextMenuShowsProgressToCompletion() throws IOException {
        selectTab(0);
        Path folder = tree("sources", 3);
        Files.write(folder.resolve("big.bin"), new byte[24 * 1024 * 1024]);
        Path target = Files.createDirectories(tmp.resolve("copies"));
        LibraryInfo lib = client.call(new CreateLibrary("Copy Sources"));
        client.call(new AddLocation(lib.id(), folder.toString()));
        selectLibrary("Copy Sources");

        TableView<FileEntry> files = app.node("#fileTable");
        await(() -> names(files).contains("big.bin"), () -> names(files).toString(), "big.bin in the browser");
        clickWhenShown("big.bin");
        contextMenuOn("big.bin");
        clickWhenShown("Copy to…");
        clickWhenShown("#destinationField");
        javafx.scene.control.TextField dest = lookup("#destinationField").queryAs(javafx.scene.control.TextField.class);
        clickOn(dest);
        fx(() -> {
            dest.setText(target.toString()); // the folder chooser beside it is the system's, not ours to test
            return null;
        });
        type(KeyCode.ENTER);

        TableView<?> jobs = app.node("#jobTable");
        await(() -> DesktopApp.rowTexts(jobs).stream().anyMatch(r -> r.contains("COPY") && r.contains("big.bin")
                        && r.contains("100 %") && r.contains("completed")),
                () -> DesktopApp.rowTexts(jobs).toString(), "the copy job at 100 %, completed");
        assertEquals(24 * 1024 * 1024, Files.size(target.resolve("big.bin")), "the copy is on disk");
    }

    @Test
    void deleteAsksForConfirmation() throws IOException {
        selectTab(0);
        Path folder = tree("doomed", 2);
        Path victim = Files.writeString(folder.resolve("delete-me.txt"), "bye");
        LibraryInfo lib = client.call(new CreateLibrary("Deletions"));
        client.call(new AddLocation(lib.id(), folder.toString()));
        selectLibrary("Deletions");
        TableView<FileEntry> files = app.node("#fileTable");
        await(() -> names(files).contains("delete-me.txt"), () -> names(files).toString(), "delete-me.txt in the browser");

        clickWhenShown("delete-me.txt");
        contextMenuOn("delete-me.txt");
        clickWhenShown("Delete…");
        clickWhenShown("#permanentDelete"); // not the user's real trash folder
        assertTrue(Files.exists(victim), "nothing is deleted before the confirmation");
        clickOn("OK");
        Await.until(DesktopApp.TIMEOUT, () -> !Files.exists(victim), "delete-me.txt gone from the disk");
        await(() -> !names(files).contains("delete-me.txt"), () -> names(files).toString(), "delete-me.txt gone from the browser");
    }

    @Test
    void searchResultsPageInWhileScrolling() throws IOException {
        selectTab(0);
        Path folder = Files.createDirectories(tmp.resolve("many"));
        int n = 1_300; // more than two pages of 500
        for (int i = 0; i < n; i++) {
            Files.writeString(folder.resolve(String.format("row-%04d.log", i)), "x");
        }
        LibraryInfo lib = client.call(new CreateLibrary("Many Files"));
        client.call(new AddLocation(lib.id(), folder.toString()));
        selectLibrary("Many Files");
        TableView<FileEntry> files = app.node("#fileTable");
        await(() -> files.getItems().size() == n, () -> files.getItems().size() + " rows", "the folder's " + n + " files");

        clickOn("#searchField").write("row-");
        await(() -> files.getItems().size() == 500 && files.getItems().getFirst().name().equals("row-0000.log"),
                () -> files.getItems().size() + " rows", "the first page of the search");
        // scrolling down draws rows near the end of what is loaded, which fetches the next pages
        // (like a user, it keeps scrolling to the end until every match is there)
        await(() -> {
            files.scrollTo(files.getItems().size() - 1);
            return files.getItems().size() == n;
        }, () -> files.getItems().size() + " rows", "all " + n + " matches after scrolling down");
        assertEquals(n, fx(() -> files.getItems().stream().map(FileEntry::path).distinct().count()).intValue(),
                "pages neither repeat nor skip rows");
        type(KeyCode.ESCAPE);
    }

    @Test
    void themeToggleIsRemembered() throws IOException {
        clickOn("View");
        clickWhenShown("Dark theme");
        await("the light stylesheet", () -> app.window().scene().getStylesheets().stream().anyMatch(s -> s.endsWith("light.css")));
        Path settings = app.configDir.resolve("desktop.properties");
        Await.until(DesktopApp.TIMEOUT, () -> Files.exists(settings), "the settings file");
        assertTrue(Files.readString(settings).contains("theme=light"), Files.readString(settings));
        clickOn("View");
        clickWhenShown("Dark theme");
        await("the dark stylesheet again", () -> app.window().scene().getStylesheets().stream().anyMatch(s -> s.endsWith("dark.css")));
    }

    @Test
    void logConsoleShowsDaemonLogLines() {
        selectTab(2);
        ListView<LogMessage> log = app.node("#logList");
        // creating a library makes the daemon log a line at INFO
        client.call(new CreateLibrary("Log Probe 7"));
        await(() -> log.getItems().stream().anyMatch(m -> m.message().contains("Log Probe 7")),
                () -> log.getItems().stream().map(LogMessage::message).toList().toString(),
                "the daemon's log line about the new library in the console");

        // the level filter hides lines below it
        javafx.scene.control.ComboBox<dev.cove.api.events.LogLevel> level = app.node("#logLevelChoice");
        fx(() -> {
            level.setValue(dev.cove.api.events.LogLevel.ERROR);
            return null;
        });
        await("INFO lines hidden at level ERROR", () -> log.getItems().stream().noneMatch(m -> m.message().contains("Log Probe 7")));
        fx(() -> {
            level.setValue(dev.cove.api.events.LogLevel.INFO);
            return null;
        });
        await("INFO lines back at level INFO", () -> log.getItems().stream().anyMatch(m -> m.message().contains("Log Probe 7")));
    }

    @Test
    void crashedSessionIsMarkedCrashed() throws IOException {
        selectTab(1);
        // an "application": a process the daemon watches by pid; killing it without ending the session is a crash
        Process victim = new ProcessBuilder("sleep", "300").start();
        Reaper.register(victim.toHandle());
        SessionRegistered s = client.call(new RegisterSession("crashy-app", "1.0", victim.pid(), Map.of(), 0L,
                Map.of("window", Map.of("open", List.of("w1")))));
        TableView<SessionInfo> sessions = app.node("#sessionTable");
        await(() -> status(sessions, s.sessionId()) == SessionStatus.ACTIVE, () -> DesktopApp.rowTexts(sessions).toString(),
                "the new session listed as active");

        victim.destroyForcibly();
        await(() -> status(sessions, s.sessionId()) == SessionStatus.CRASHED, () -> DesktopApp.rowTexts(sessions).toString(),
                "the session marked crashed");
        await(() -> DesktopApp.rowTexts(sessions).stream().anyMatch(r -> r.contains("crashy-app") && r.contains("crashed")),
                () -> DesktopApp.rowTexts(sessions).toString(), "the row showing 'crashed'");

        // its detail: the crash in the event timeline
        clickWhenShown("crashy-app 1.0");
        ListView<dev.cove.api.events.SessionEvent> timeline = app.node("#eventTimeline");
        await(() -> timeline.getItems().stream().anyMatch(e -> e.name().equals("parent_process_crashed")),
                () -> timeline.getItems().toString(), "parent_process_crashed in the timeline");
    }

    private static SessionStatus status(TableView<SessionInfo> table, String id) {
        return table.getItems().stream().filter(x -> x.sessionId().equals(id)).map(SessionInfo::status).findFirst()
                .orElse(null);
    }
}
