package dev.cove.desktop;

import dev.cove.api.events.JobUpdate;
import dev.cove.api.events.LibraryChanged;
import dev.cove.api.events.LocationChanged;
import dev.cove.api.jobs.JobKind;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.DeleteLibrary;
import dev.cove.api.libraries.LibraryInfo;
import dev.cove.api.libraries.ListLibraries;
import dev.cove.api.libraries.RenameLibrary;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.locations.ListLocations;
import dev.cove.api.locations.LocationInfo;
import dev.cove.api.locations.RemoveLocation;
import dev.cove.api.locations.RescanLocation;
import javafx.animation.PauseTransition;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.util.Duration;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/** The sidebar: libraries (create, rename, delete) and the locations of the selected one (add, rescan, remove). */
final class LibrariesPane extends VBox {
    private final DaemonLink link;
    private final ListView<LibraryInfo> libraries = new ListView<>();
    private final ListView<LocationInfo> locations = new ListView<>();
    private final ObjectProperty<LibraryInfo> selected = new SimpleObjectProperty<>();
    private final PauseTransition reloadSoon = new PauseTransition(Duration.millis(300));
    private Consumer<LocationInfo> onOpenLocation = l -> { };
    private FileDrop fileDrop = (sources, target, copy) -> { };
    private boolean loaded;
    /** Numbers of the last list requests: an answer to an older one is dropped. */
    private long listGeneration;
    private long locationGeneration;

    /** Files dropped on a location: move (or copy) them there. */
    interface FileDrop {
        void drop(List<String> sources, String target, boolean copy);
    }

    LibrariesPane(DaemonLink link) {
        this.link = link;
        setId("sidebar");
        getStyleClass().add("sidebar");
        setSpacing(6);
        setPadding(new Insets(8));

        libraries.setId("libraryList");
        libraries.setPlaceholder(new Label("No libraries yet:\npress + to create one"));
        libraries.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(LibraryInfo l, boolean empty) {
                super.updateItem(l, empty);
                setText(empty || l == null ? null : l.name());
                setTooltip(empty || l == null ? null : new javafx.scene.control.Tooltip(
                        l.entries() + " entries, " + Fx.bytes(l.bytes()) + ", " + l.locations() + " location(s)\nid " + l.id()));
            }
        });
        libraries.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now == null || was == null || !now.id().equals(was.id())) {
                selected.set(now);
                loadLocations();
            } else {
                selected.set(now); // same library, fresher counts
            }
        });
        locations.setId("locationList");
        locations.setPlaceholder(new Label("No locations:\nadd a folder to index it"));
        locations.setCellFactory(v -> new LocationCell());
        locations.setOnMouseClicked(e -> {
            LocationInfo l = locations.getSelectionModel().getSelectedItem();
            if (l != null && e.getClickCount() >= 1) {
                onOpenLocation.accept(l);
            }
        });
        VBox.setVgrow(libraries, Priority.ALWAYS);
        VBox.setVgrow(locations, Priority.ALWAYS);

        HBox libBar = new HBox(4, Fx.label(null, "Libraries", "section-title"), Fx.spacer(),
                Fx.button("newLibraryButton", "+", "New library", this::create),
                Fx.button("renameLibraryButton", "✎", "Rename the selected library", this::rename),
                Fx.button("deleteLibraryButton", "−", "Delete the selected library (its files stay)", this::delete));
        HBox locBar = new HBox(4, Fx.label(null, "Locations", "section-title"), Fx.spacer(),
                Fx.button("addLocationButton", "+", "Add a folder to the library", this::addLocation),
                Fx.button("rescanButton", "⟳", "Rescan the selected location", this::rescan),
                Fx.button("removeLocationButton", "−", "Remove the selected location from the library", this::removeLocation));
        libBar.getStyleClass().add("section-bar");
        locBar.getStyleClass().add("section-bar");
        getChildren().addAll(libBar, libraries, locBar, locations);

        reloadSoon.setOnFinished(e -> reload());
        link.onConnected(this::reload);
        link.onEvent(e -> {
            switch (e) {
                case LibraryChanged c -> reloadSoon.playFromStart();
                case LocationChanged c when isSelected(c.libraryId()) -> reloadSoon.playFromStart();
                case JobUpdate u when u.kind() == JobKind.INDEX && u.state().isFinished() -> reloadSoon.playFromStart();
                default -> { }
            }
        });
    }

    ReadOnlyObjectProperty<LibraryInfo> selectedProperty() {
        return selected;
    }

    List<LocationInfo> locations() {
        return List.copyOf(locations.getItems());
    }

    javafx.collections.ObservableList<LocationInfo> locationItems() {
        return locations.getItems();
    }

    boolean isLoaded() {
        return loaded;
    }

    void onOpenLocation(Consumer<LocationInfo> action) {
        this.onOpenLocation = action;
    }

    void onFileDrop(FileDrop drop) {
        this.fileDrop = drop;
    }

    private boolean isSelected(String libraryId) {
        return selected.get() != null && selected.get().id().equals(libraryId);
    }

    void reload() {
        long gen = ++listGeneration;
        link.call(new ListLibraries()).thenAccept(list -> {
            if (gen != listGeneration) {
                return; // stale: a newer list was asked for
            }
            LibraryInfo was = libraries.getSelectionModel().getSelectedItem();
            libraries.getItems().setAll(list.libraries());
            String keep = was != null ? was.id() : null;
            int index = keep == null ? -1 : indexOf(keep);
            if (index < 0 && !loaded && link.options().library() != null) {
                index = indexOfName(link.options().library());
            }
            if (index < 0 && !list.libraries().isEmpty()) {
                index = 0;
            }
            if (index >= 0) {
                libraries.getSelectionModel().select(index);
            } else {
                selected.set(null);
                locations.getItems().clear();
            }
            if (index >= 0 && was != null && list.libraries().get(index).id().equals(was.id())) {
                loadLocations(); // same selection: the listener did not fire, the counts may have moved
            }
            loaded = true;
        });
    }

    private int indexOf(String id) {
        for (int i = 0; i < libraries.getItems().size(); i++) {
            if (libraries.getItems().get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private int indexOfName(String name) {
        for (int i = 0; i < libraries.getItems().size(); i++) {
            if (libraries.getItems().get(i).name().equalsIgnoreCase(name) || libraries.getItems().get(i).id().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private void loadLocations() {
        LibraryInfo lib = selected.get();
        if (lib == null) {
            locations.getItems().clear();
            return;
        }
        long gen = ++locationGeneration;
        link.call(new ListLocations(lib.id())).thenAccept(list -> {
            if (gen == locationGeneration && isSelected(list.libraryId())) {
                LocationInfo was = locations.getSelectionModel().getSelectedItem();
                locations.getItems().setAll(list.locations());
                if (was != null) {
                    list.locations().stream().filter(l -> l.id() == was.id()).findFirst()
                            .ifPresent(l -> locations.getSelectionModel().select(l));
                }
            }
        });
    }

    /** Selects the library with this name (the tests and the screenshot use it). */
    void select(String name) {
        libraries.getItems().stream().filter(l -> l.name().equalsIgnoreCase(name)).findFirst()
                .ifPresent(l -> libraries.getSelectionModel().select(l));
    }

    private void create() {
        TextInputDialog d = nameDialog("New library", "Name of the new library:", "");
        d.setOnHidden(e -> {
            String name = d.getResult();
            if (name == null || name.isBlank()) {
                return;
            }
            CreateLibrary req;
            try {
                req = new CreateLibrary(name);
            } catch (IllegalArgumentException ex) {
                Fx.error(this, "Cannot create the library", ex);
                return;
            }
            link.call(req).whenComplete((lib, ex) -> {
                if (ex != null) {
                    Fx.error(this, "Cannot create library \"" + name.strip() + "\"", ex);
                } else {
                    libraries.getItems().add(lib);
                    libraries.getSelectionModel().select(lib);
                    reloadSoon.playFromStart();
                }
            });
        });
        d.show();
    }

    private void rename() {
        LibraryInfo lib = selected.get();
        if (lib == null) {
            return;
        }
        TextInputDialog d = nameDialog("Rename library", "New name for \"" + lib.name() + "\":", lib.name());
        d.setOnHidden(e -> {
            String name = d.getResult();
            if (name == null || name.isBlank() || name.strip().equals(lib.name())) {
                return;
            }
            try {
                link.call(new RenameLibrary(lib.id(), name)).whenComplete((r, ex) -> {
                    if (ex != null) {
                        Fx.error(this, "Cannot rename \"" + lib.name() + "\"", ex);
                    } else {
                        reload();
                    }
                });
            } catch (IllegalArgumentException ex) {
                Fx.error(this, "Cannot rename the library", ex);
            }
        });
        d.show();
    }

    private TextInputDialog nameDialog(String title, String header, String value) {
        TextInputDialog d = new TextInputDialog(value);
        d.initOwner(Fx.window(this));
        d.setTitle(title);
        d.setHeaderText(header);
        d.getEditor().setId("libraryNameInput");
        d.getDialogPane().setId("libraryNameDialog");
        return d;
    }

    private void delete() {
        LibraryInfo lib = selected.get();
        if (lib == null) {
            return;
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Delete library \"" + lib.name() + "\" and its index of "
                + lib.entries() + " entries?\nThe files themselves are not touched.", ButtonType.CANCEL, ButtonType.OK);
        a.initOwner(Fx.window(this));
        a.setTitle("Delete library");
        a.setHeaderText(null);
        a.getDialogPane().setId("confirmDialog");
        a.setOnHidden(e -> {
            if (a.getResult() == ButtonType.OK) {
                link.call(new DeleteLibrary(lib.id())).whenComplete((r, ex) -> {
                    if (ex != null) {
                        Fx.error(this, "Cannot delete \"" + lib.name() + "\"", ex);
                    } else {
                        libraries.getSelectionModel().clearSelection();
                        reload();
                    }
                });
            }
        });
        a.show();
    }

    /** A dialog with a path field (type or paste a folder) and a Browse… button (the system's folder chooser). */
    private void addLocation() {
        LibraryInfo lib = selected.get();
        if (lib == null) {
            Fx.error(this, "No library selected", new IllegalStateException("create or select a library first"));
            return;
        }
        Dialog<String> d = new Dialog<>();
        d.initOwner(Fx.window(this));
        d.setTitle("Add location");
        d.setHeaderText("Add a folder to \"" + lib.name() + "\"; Cove indexes it and keeps watching it.");
        TextField path = new TextField();
        path.setId("locationPathField");
        path.setPromptText("/home/me/Pictures");
        path.setPrefColumnCount(36);
        Button browse = new Button("Browse…");
        browse.setId("browseLocationButton");
        browse.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Folder to add to " + lib.name());
            File dir = chooser.showDialog(d.getDialogPane().getScene().getWindow());
            if (dir != null) {
                path.setText(dir.getAbsolutePath());
            }
        });
        HBox box = new HBox(6, path, browse);
        HBox.setHgrow(path, Priority.ALWAYS);
        d.getDialogPane().setContent(box);
        d.getDialogPane().setId("addLocationDialog");
        ButtonType add = new ButtonType("Add", ButtonBar.ButtonData.OK_DONE);
        d.getDialogPane().getButtonTypes().addAll(ButtonType.CANCEL, add);
        d.getDialogPane().lookupButton(add).disableProperty().bind(path.textProperty().isEmpty());
        d.setResultConverter(b -> b == add ? path.getText().strip() : null);
        d.setOnShown(e -> path.requestFocus());
        d.setOnHidden(e -> {
            String p = d.getResult();
            if (p == null || p.isBlank()) {
                return;
            }
            String abs = Path.of(p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p)
                    .toAbsolutePath().normalize().toString();
            link.call(new AddLocation(lib.id(), abs)).whenComplete((r, ex) -> {
                if (ex != null) {
                    Fx.error(this, "Cannot add " + abs, ex);
                } else {
                    loadLocations();
                }
            });
        });
        d.show();
    }

    private void rescan() {
        LocationInfo l = locations.getSelectionModel().getSelectedItem();
        LibraryInfo lib = selected.get();
        if (l == null || lib == null) {
            return;
        }
        link.call(new RescanLocation(lib.id(), l.id())).whenComplete((r, ex) -> {
            if (ex != null) {
                Fx.error(this, "Cannot rescan " + l.path(), ex);
            }
        });
    }

    private void removeLocation() {
        LocationInfo l = locations.getSelectionModel().getSelectedItem();
        LibraryInfo lib = selected.get();
        if (l == null || lib == null) {
            return;
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "Remove " + l.path() + " from \"" + lib.name()
                + "\"?\nIts " + l.entries() + " entries leave the index; the files stay on disk.", ButtonType.CANCEL, ButtonType.OK);
        a.initOwner(Fx.window(this));
        a.setHeaderText(null);
        a.getDialogPane().setId("confirmDialog");
        a.setOnHidden(e -> {
            if (a.getResult() == ButtonType.OK) {
                link.call(new RemoveLocation(lib.id(), l.id())).whenComplete((r, ex) -> {
                    if (ex != null) {
                        Fx.error(this, "Cannot remove " + l.path(), ex);
                    } else {
                        loadLocations();
                    }
                });
            }
        });
        a.show();
    }

    private final class LocationCell extends ListCell<LocationInfo> {
        LocationCell() {
            setOnDragOver(e -> {
                if (getItem() != null && e.getDragboard().hasContent(FileBrowser.PATHS)) {
                    e.acceptTransferModes(TransferMode.COPY_OR_MOVE);
                }
                e.consume();
            });
            setOnDragDropped(e -> {
                Object paths = e.getDragboard().getContent(FileBrowser.PATHS);
                if (getItem() != null && paths instanceof List<?> list) {
                    fileDrop.drop(list.stream().map(Objects::toString).toList(), getItem().path(),
                            e.getTransferMode() == TransferMode.COPY);
                    e.setDropCompleted(true);
                }
                e.consume();
            });
        }

        @Override
        protected void updateItem(LocationInfo l, boolean empty) {
            super.updateItem(l, empty);
            getStyleClass().removeAll("location-offline", "location-indexing");
            if (empty || l == null) {
                setText(null);
                setTooltip(null);
                return;
            }
            String name = Path.of(l.path()).getFileName() == null ? l.path() : Path.of(l.path()).getFileName().toString();
            setText(name + "  ·  " + l.entries() + " · " + l.state().name().toLowerCase()
                    + (l.partlyIndexed() ? " · partly indexed" : ""));
            switch (l.state()) {
                case OFFLINE -> getStyleClass().add("location-offline");
                case INDEXING -> getStyleClass().add("location-indexing");
                default -> { }
            }
            setTooltip(new javafx.scene.control.Tooltip(l.path() + "\n" + l.entries() + " entries, " + Fx.bytes(l.bytes())
                    + (l.unreadable() > 0 ? ", " + l.unreadable() + " unreadable" : "")
                    + (l.lastError() != null ? "\n" + l.lastError() : "")
                    + (l.partlyIndexed() ? "\npartly indexed: its last scan did not finish (Rescan completes it)" : "")
                    + (l.lastScanAt() != null ? "\nlast scan " + Fx.dateTime(l.lastScanAt()) : "")));
        }
    }
}
