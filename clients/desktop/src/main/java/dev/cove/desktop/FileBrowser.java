package dev.cove.desktop;

import dev.cove.api.events.FilesChanged;
import dev.cove.api.events.JobUpdate;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.files.ConflictPolicy;
import dev.cove.api.files.CopyFiles;
import dev.cove.api.files.DeleteFiles;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.FileKind;
import dev.cove.api.files.ListFiles;
import dev.cove.api.files.MoveFiles;
import dev.cove.api.files.RenameFile;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SortField;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.locations.LocationInfo;
import dev.cove.rpc.Request;
import javafx.animation.PauseTransition;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.DataFormat;
import javafx.scene.input.Dragboard;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.DirectoryChooser;
import javafx.util.Duration;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The index of the selected library as a file browser: folders to walk, and a search field that answers as
 * you type. The table is virtualised (only visible rows have cells); search results arrive in pages of
 * {@link #PAGE} and the next page is fetched when a row near the end is drawn, so a result of any size stays smooth.
 */
final class FileBrowser extends BorderPane {
    /** Drag-and-drop payload: the absolute paths of the dragged entries. */
    static final DataFormat PATHS = new DataFormat("application/x-cove-paths");
    static final int PAGE = 500;

    /** What the table shows. */
    sealed interface View {
        /** The library's locations, as folders. */
        record Roots() implements View {
        }

        record Folder(String path) implements View {
        }

        record Search(String text) implements View {
        }
    }

    private final DaemonLink link;
    private final Supplier<List<LocationInfo>> allLocations;
    private final TableView<FileEntry> table = new TableView<>();
    private final ObservableList<FileEntry> rows = FXCollections.observableArrayList();
    private final TextField search = new TextField();
    private final Label pathLabel = Fx.label("pathLabel", "", "path-label");
    private final Label count = Fx.label("resultCount", "", "muted");
    private final PauseTransition debounce = new PauseTransition(Duration.millis(200));
    private final PauseTransition reloadSoon = new PauseTransition(Duration.millis(400));
    private Consumer<JobInfo> onJob = j -> { };
    private LibraryInfo library;
    private View view = new View.Roots();
    private View beforeSearch = new View.Roots();
    /** Bumped by every new query: an answer carrying an older number is stale and dropped. */
    private long generation;
    private String cursor;
    private boolean loadingMore;
    private SortField sort = SortField.NAME;
    private boolean descending;
    private boolean loaded;
    private TableColumn<FileEntry, String> folderColumn;

    FileBrowser(DaemonLink link, Supplier<List<LocationInfo>> locations) {
        this.link = link;
        this.allLocations = locations;
        setId("fileBrowser");

        search.setId("searchField");
        search.setPromptText("Search this library (name contains…)");
        search.setPrefColumnCount(28);
        search.textProperty().addListener((o, a, b) -> debounce.playFromStart());
        search.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                search.clear();
            }
        });
        debounce.setOnFinished(e -> searchChanged());
        // a folder refresh that comes due after the user started a search must not reset the search's pages
        reloadSoon.setOnFinished(e -> {
            if (!(view instanceof View.Search)) {
                reload();
            }
        });

        Button up = Fx.button("upButton", "↑", "Up one folder (Backspace)", this::up);
        Button refresh = Fx.button("refreshFilesButton", "⟳", "Reload", this::reload);
        HBox top = new HBox(6, up, refresh, pathLabel, Fx.spacer(), count, search);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(6, 8, 6, 8));
        top.getStyleClass().add("toolbar");
        setTop(top);

        buildTable();
        setCenter(table);

        link.onEvent(e -> {
            if (library == null || view instanceof View.Search) {
                return; // a search is not re-run under the user's eyes: its pages would jump
            }
            boolean here = switch (e) {
                case FilesChanged c -> library.id().equals(c.libraryId());
                // a scan fills the index in bulk, without FilesChanged: show its result when it ends
                case JobUpdate u -> u.kind() == JobKind.INDEX && u.state().isFinished() && library.id().equals(u.libraryId());
                default -> false;
            };
            if (here) {
                reloadSoon.playFromStart();
            }
        });
    }

    /** The locations of the library shown (the sidebar's list may still hold the previous library's). */
    private List<LocationInfo> locations() {
        return library == null ? List.of()
                : allLocations.get().stream().filter(l -> l.libraryId().equals(library.id())).toList();
    }

    void onJobStarted(Consumer<JobInfo> onJob) {
        this.onJob = onJob;
    }

    boolean isLoaded() {
        return loaded;
    }

    View view() {
        return view;
    }

    private void buildTable() {
        table.setId("fileTable");
        table.setItems(rows);
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setPlaceholder(new Label("Select a library and a location"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        TableColumn<FileEntry, FileEntry> name = new TableColumn<>("Name");
        name.setId("nameColumn");
        name.setUserData(SortField.NAME);
        name.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        name.setComparator((a, b) -> {
            boolean fa = a.kind() == FileKind.FOLDER;
            boolean fb = b.kind() == FileKind.FOLDER;
            return fa != fb ? (fa ? -1 : 1) : a.name().compareToIgnoreCase(b.name());
        });
        name.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(FileEntry e, boolean empty) {
                super.updateItem(e, empty);
                setText(empty || e == null ? null : FileNames.display(e.name()));
                setGraphic(empty || e == null ? null : icon(e.kind()));
            }
        });
        name.setPrefWidth(320);

        TableColumn<FileEntry, Long> size = new TableColumn<>("Size");
        size.setId("sizeColumn");
        size.setUserData(SortField.SIZE);
        size.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().size()));
        size.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Long v, boolean empty) {
                super.updateItem(v, empty);
                FileEntry e = getTableRow() == null ? null : getTableRow().getItem();
                setText(empty || v == null || e == null || e.kind() == FileKind.FOLDER ? null : Fx.bytes(v));
            }
        });
        size.getStyleClass().add("number-column");
        size.setPrefWidth(90);

        TableColumn<FileEntry, String> kind = new TableColumn<>("Kind");
        kind.setId("kindColumn");
        kind.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(kindName(c.getValue())));
        kind.setPrefWidth(120);

        TableColumn<FileEntry, java.time.Instant> modified = new TableColumn<>("Modified");
        modified.setId("modifiedColumn");
        modified.setUserData(SortField.MODIFIED);
        modified.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().modified()));
        modified.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(java.time.Instant t, boolean empty) {
                super.updateItem(t, empty);
                setText(empty ? null : Fx.dateTime(t));
            }
        });
        modified.setPrefWidth(140);

        TableColumn<FileEntry, String> folder = new TableColumn<>("Folder");
        folder.setId("folderColumn");
        folder.setUserData(SortField.PATH);
        folder.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(FileNames.display(parentOf(c.getValue().path()))));
        folder.setPrefWidth(260);

        table.getColumns().setAll(List.of(name, size, kind, modified, folder));
        this.folderColumn = folder;
        table.setSortPolicy(tv -> {
            if (!(view instanceof View.Search)) {
                return TableView.DEFAULT_SORT_POLICY.call(tv);
            }
            // a search sorts on the daemon, which pages in that order; the table just shows the pages
            SortField f = SortField.NAME;
            boolean desc = false;
            if (!table.getSortOrder().isEmpty()) {
                TableColumn<FileEntry, ?> c = table.getSortOrder().getFirst();
                if (c.getUserData() instanceof SortField sf) {
                    f = sf;
                    desc = c.getSortType() == TableColumn.SortType.DESCENDING;
                }
            }
            if (f != sort || desc != descending) {
                sort = f;
                descending = desc;
                runSearch();
            }
            return true;
        });
        table.setRowFactory(tv -> new FileRow());
        table.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                open(table.getSelectionModel().getSelectedItem());
            } else if (e.getCode() == KeyCode.BACK_SPACE) {
                up();
            } else if (e.getCode() == KeyCode.DELETE) {
                delete();
            }
        });
        table.setOnDragOver(e -> {
            if (e.getDragboard().hasContent(PATHS) && view instanceof View.Folder) {
                e.acceptTransferModes(TransferMode.COPY_OR_MOVE);
            }
            e.consume();
        });
        table.setOnDragDropped(e -> {
            if (view instanceof View.Folder f) {
                drop(e.getDragboard(), f.path(), e.getTransferMode());
                e.setDropCompleted(true);
            }
            e.consume();
        });
        ContextMenu menu = new ContextMenu();
        menu.setId("fileContextMenu");
        buildMenu(menu);
        table.setContextMenu(menu);
    }

    /** A small drawn icon per kind (shapes, not emoji: many Linux desktops have no emoji font). */
    private static javafx.scene.Node icon(FileKind k) {
        javafx.scene.shape.SVGPath p = new javafx.scene.shape.SVGPath();
        p.setContent(k == FileKind.FOLDER ? "M0 2 L5 2 L6.5 3.5 L14 3.5 L14 12 L0 12 Z" : "M1 0 L8 0 L11 3 L11 13 L1 13 Z");
        p.getStyleClass().addAll("kind-icon", "kind-" + k.name().toLowerCase(java.util.Locale.ROOT));
        return p;
    }

    private static String kindName(FileEntry e) {
        String k = e.kind().name().charAt(0) + e.kind().name().substring(1).toLowerCase();
        return e.kind() == FileKind.FOLDER || e.extension().isEmpty() ? k : k + " (" + e.extension() + ")";
    }

    private static String parentOf(String path) {
        Path p = Path.of(path).getParent();
        return p == null ? "" : p.toString();
    }

    // ---- navigation ----

    /** Shows a library: its only location's folder, or its locations when it has several. */
    void showLibrary(LibraryInfo lib) {
        boolean same = library != null && lib != null && library.id().equals(lib.id());
        library = lib;
        if (!same) {
            search.clear();
            show(new View.Roots());
        }
    }

    void openLocation(LocationInfo l) {
        if (library != null && library.id().equals(l.libraryId())) {
            search.clear();
            show(new View.Folder(l.path()));
        }
    }

    private void open(FileEntry e) {
        if (e != null && e.kind() == FileKind.FOLDER) {
            search.clear();
            show(new View.Folder(e.path()));
        }
    }

    private void up() {
        if (view instanceof View.Folder f) {
            boolean root = locations().stream().anyMatch(l -> l.path().equals(f.path()));
            String parent = parentOf(f.path());
            show(root || parent.isEmpty() ? new View.Roots() : new View.Folder(parent));
        }
    }

    private void searchChanged() {
        String text = search.getText().strip();
        if (text.isEmpty()) {
            if (view instanceof View.Search) {
                show(beforeSearch);
            }
            return;
        }
        if (!(view instanceof View.Search)) {
            beforeSearch = view;
            reloadSoon.stop();
        }
        view = new View.Search(text);
        folderColumn.setVisible(true);
        runSearch();
    }

    private void show(View v) {
        view = v;
        folderColumn.setVisible(false);
        reload();
    }

    void reload() {
        long gen = ++generation;
        cursor = null;
        loadingMore = false;
        if (library == null) {
            rows.clear();
            pathLabel.setText("");
            count.setText("");
            loaded = true; // nothing to show is an answer too (no libraries yet)
            return;
        }
        switch (view) {
            case View.Roots r -> {
                List<LocationInfo> locs = locations();
                pathLabel.setText(library.name());
                if (locs.size() == 1) {
                    show(new View.Folder(locs.getFirst().path()));
                    return;
                }
                rows.setAll(locs.stream().map(l -> new FileEntry(-l.id(), l.id(), l.path(), l.path(), "", FileKind.FOLDER,
                        l.bytes(), l.lastScanAt() != null ? l.lastScanAt() : l.addedAt(), null, 0, null)).toList());
                count.setText(locs.size() + " locations");
                table.setPlaceholder(new Label("No locations in \"" + library.name() + "\": add a folder in the sidebar"));
                loaded = true;
            }
            case View.Folder f -> {
                pathLabel.setText(FileNames.display(f.path()));
                query(gen, new ListFiles(library.id(), f.path()), list -> {
                    rows.setAll(list.entries());
                    table.sort();
                    count.setText(list.entries().size() + (list.entries().size() == 1 ? " item" : " items"));
                    table.setPlaceholder(new Label("Empty folder (or not indexed yet)"));
                    loaded = true;
                });
            }
            case View.Search s -> runSearch();
        }
    }

    private void runSearch() {
        if (!(view instanceof View.Search s) || library == null) {
            return;
        }
        long gen = ++generation;
        cursor = null;
        loadingMore = true;
        pathLabel.setText("Search in " + library.name());
        query(gen, searchRequest(s.text(), null), r -> {
            rows.setAll(r.entries());
            cursor = r.nextCursor();
            loadingMore = false;
            table.scrollTo(0);
            table.setPlaceholder(new Label("Nothing in \"" + library.name() + "\" matches \"" + s.text() + "\""));
            count.setText(countText(r.tookMicros()));
            loaded = true;
        });
    }

    private SearchFiles searchRequest(String text, String cursor) {
        return new SearchFiles(library.id(), text, null, null, null, null, null, null, null, null, sort, descending,
                PAGE, cursor);
    }

    private String countText(long micros) {
        return rows.size() + (cursor != null ? "+" : "") + " matches · " + String.format("%.1f ms", micros / 1000.0);
    }

    /** Fetches the next page of a search when a row near the end is drawn. */
    private void maybeLoadMore(int index) {
        if (cursor == null || loadingMore || index < rows.size() - PAGE / 5 || !(view instanceof View.Search s)) {
            return;
        }
        loadingMore = true;
        long gen = generation;
        query(gen, searchRequest(s.text(), cursor), r -> {
            rows.addAll(r.entries());
            cursor = r.nextCursor();
            loadingMore = false;
            count.setText(countText(r.tookMicros()));
        });
    }

    /** Runs a query and hands the answer over only if no newer query was started meanwhile. */
    private <R> void query(long gen, Request<R> request, Consumer<R> show) {
        link.call(request).whenComplete((r, ex) -> {
            if (gen != generation) {
                return; // stale: the user typed on, or navigated away
            }
            if (ex != null) {
                loadingMore = false;
                rows.clear();
                table.setPlaceholder(new Label(DaemonLink.message(ex)));
                count.setText("");
            } else {
                show.accept(r);
            }
        });
    }

    // ---- file operations ----

    private List<FileEntry> selection() {
        return table.getSelectionModel().getSelectedItems().stream().filter(Objects::nonNull)
                .filter(e -> e.id() >= 0).toList(); // the location rows of the roots view are not files to act on
    }

    /**
     * The items exist from the start (a context menu without items is never shown); opening the menu only
     * enables what fits the selection, and each action reads the selection when chosen.
     */
    private void buildMenu(ContextMenu menu) {
        MenuItem open = item("menuOpen", "Open", () -> open(single()));
        MenuItem copy = item("menuCopy", "Copy to…", () -> transferDialog(selection(), false));
        MenuItem move = item("menuMove", "Move to…", () -> transferDialog(selection(), true));
        MenuItem rename = item("menuRename", "Rename…", () -> rename(single()));
        MenuItem delete = item("menuDelete", "Delete…", this::delete);
        MenuItem copyPath = item("menuCopyPath", "Copy path", () -> {
            ClipboardContent c = new ClipboardContent();
            c.putString(String.join("\n", selection().stream().map(e -> FileNames.display(e.path())).toList()));
            javafx.scene.input.Clipboard.getSystemClipboard().setContent(c);
        });
        menu.getItems().setAll(open, new SeparatorMenuItem(), copy, move, rename, delete, new SeparatorMenuItem(), copyPath,
                item("menuRefresh", "Refresh", this::reload));
        menu.setOnShowing(e -> {
            List<FileEntry> sel = selection();
            FileEntry one = single();
            open.setDisable(one == null || one.kind() != FileKind.FOLDER);
            for (MenuItem m : List.of(copy, move, delete, copyPath)) {
                m.setDisable(sel.isEmpty());
            }
            rename.setDisable(one == null);
        });
    }

    private FileEntry single() {
        List<FileEntry> sel = selection();
        return sel.size() == 1 ? sel.getFirst() : null;
    }

    private static MenuItem item(String id, String text, Runnable action) {
        MenuItem m = new MenuItem(text);
        m.setId(id);
        m.setOnAction(e -> action.run());
        return m;
    }

    private String currentFolder() {
        if (view instanceof View.Folder f) {
            return f.path();
        }
        List<LocationInfo> locs = locations();
        return locs.isEmpty() ? System.getProperty("user.home") : locs.getFirst().path();
    }

    /** Copy or move: a destination (typed, or chosen with Browse…) and what to do when a name is taken. */
    private void transferDialog(List<FileEntry> sel, boolean move) {
        if (sel.isEmpty()) {
            return;
        }
        String verb = move ? "Move" : "Copy";
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(Fx.window(this));
        d.setTitle(verb);
        d.setHeaderText(verb + " " + (sel.size() == 1 ? "\"" + sel.getFirst().name() + "\"" : sel.size() + " items") + " to:");
        TextField dest = new TextField(currentFolder());
        dest.setId("destinationField");
        dest.setPrefColumnCount(36);
        Button browse = new Button("Browse…");
        browse.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            File start = new File(dest.getText());
            if (start.isDirectory()) {
                chooser.setInitialDirectory(start);
            }
            File dir = chooser.showDialog(d.getDialogPane().getScene().getWindow());
            if (dir != null) {
                dest.setText(dir.getAbsolutePath());
            }
        });
        ComboBox<ConflictPolicy> conflict = new ComboBox<>(FXCollections.observableArrayList(ConflictPolicy.values()));
        conflict.setId("conflictChoice");
        conflict.setValue(ConflictPolicy.KEEP_BOTH);
        GridPane grid = new GridPane();
        grid.setHgap(6);
        grid.setVgap(6);
        grid.addRow(0, new Label("Folder"), dest, browse);
        grid.addRow(1, new Label("If the name exists"), conflict);
        GridPane.setHgrow(dest, Priority.ALWAYS);
        d.getDialogPane().setContent(grid);
        d.getDialogPane().setId("transferDialog");
        ButtonType go = new ButtonType(verb, ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(ButtonType.CANCEL, go);
        d.setOnShown(e -> dest.requestFocus());
        d.setOnHidden(e -> {
            if (d.getResult() == go && !dest.getText().isBlank()) {
                transfer(sel.stream().map(FileEntry::path).toList(), dest.getText().strip(), move, conflict.getValue());
            }
        });
        d.show();
    }

    /** Starts a copy or move job; the jobs panel follows it. */
    void transfer(List<String> sources, String destination, boolean move, ConflictPolicy conflict) {
        Request<JobInfo> req;
        try {
            req = move ? new MoveFiles(sources, destination, conflict) : new CopyFiles(sources, destination, conflict);
        } catch (IllegalArgumentException ex) {
            Fx.error(this, (move ? "Cannot move" : "Cannot copy"), ex);
            return;
        }
        link.call(req).whenComplete((job, ex) -> {
            if (ex != null) {
                Fx.error(this, (move ? "Cannot move to " : "Cannot copy to ") + destination, ex);
            } else {
                onJob.accept(job);
            }
        });
    }

    private void drop(Dragboard board, String target, TransferMode mode) {
        if (board.getContent(PATHS) instanceof List<?> list) {
            List<String> sources = list.stream().map(Objects::toString)
                    .filter(p -> !p.equals(target) && !parentOf(p).equals(target)).toList();
            if (!sources.isEmpty()) {
                transfer(sources, target, mode != TransferMode.COPY, ConflictPolicy.KEEP_BOTH);
            }
        }
    }

    private void rename(FileEntry e) {
        if (e == null) {
            return;
        }
        TextInputDialog d = new TextInputDialog(e.name());
        d.initOwner(Fx.window(this));
        d.setTitle("Rename");
        d.setHeaderText("New name for \"" + e.name() + "\":");
        d.getEditor().setId("renameField");
        d.setOnHidden(ev -> {
            String name = d.getResult();
            if (name == null || name.isBlank() || name.equals(e.name())) {
                return;
            }
            try {
                link.call(new RenameFile(e.path(), name.strip())).whenComplete((job, ex) -> {
                    if (ex != null) {
                        Fx.error(this, "Cannot rename \"" + e.name() + "\"", ex);
                    } else {
                        onJob.accept(job);
                    }
                });
            } catch (IllegalArgumentException ex) {
                Fx.error(this, "Cannot rename \"" + e.name() + "\"", ex);
            }
        });
        d.show();
    }

    private void delete() {
        List<FileEntry> sel = selection();
        if (sel.isEmpty()) {
            return;
        }
        String what = sel.size() == 1 ? "\"" + sel.getFirst().name() + "\"" : sel.size() + " items";
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "", ButtonType.CANCEL, ButtonType.OK);
        a.initOwner(Fx.window(this));
        a.setTitle("Delete");
        a.setHeaderText("Move " + what + " to the trash?");
        CheckBox permanent = new CheckBox("Delete permanently instead (cannot be undone)");
        permanent.setId("permanentDelete");
        a.getDialogPane().setContent(permanent);
        a.getDialogPane().setId("confirmDialog");
        a.setOnHidden(e -> {
            if (a.getResult() == ButtonType.OK) {
                link.call(new DeleteFiles(sel.stream().map(FileEntry::path).toList(), permanent.isSelected()))
                        .whenComplete((job, ex) -> {
                            if (ex != null) {
                                Fx.error(this, "Cannot delete " + what, ex);
                            } else {
                                onJob.accept(job);
                            }
                        });
            }
        });
        a.show();
    }

    private final class FileRow extends TableRow<FileEntry> {
        FileRow() {
            setOnMouseClicked(e -> {
                if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2 && !isEmpty()) {
                    open(getItem());
                }
            });
            setOnDragDetected(e -> {
                if (isEmpty() || selection().isEmpty()) {
                    return;
                }
                Dragboard db = startDragAndDrop(TransferMode.COPY_OR_MOVE);
                ClipboardContent c = new ClipboardContent();
                ArrayList<String> paths = new ArrayList<>(selection().stream().map(FileEntry::path).toList());
                c.put(PATHS, paths);
                c.putString(String.join("\n", paths));
                db.setContent(c);
                e.consume();
            });
            setOnDragOver(e -> {
                if (!isEmpty() && getItem().kind() == FileKind.FOLDER && e.getGestureSource() != this
                        && e.getDragboard().hasContent(PATHS)) {
                    e.acceptTransferModes(TransferMode.COPY_OR_MOVE);
                    e.consume();
                }
            });
            setOnDragDropped(e -> {
                if (!isEmpty() && getItem().kind() == FileKind.FOLDER) {
                    drop(e.getDragboard(), getItem().path(), e.getTransferMode());
                    e.setDropCompleted(true);
                    e.consume();
                }
            });
        }

        @Override
        protected void updateItem(FileEntry item, boolean empty) {
            super.updateItem(item, empty);
            if (!empty) {
                maybeLoadMore(getIndex());
            }
        }
    }
}
