package dev.cove.desktop;

import dev.cove.api.Cove;
import dev.cove.api.core.DaemonStatus;
import dev.cove.api.core.GetStatus;
import dev.cove.api.events.ClientConnected;
import dev.cove.api.events.ClientDisconnected;
import dev.cove.api.events.CoveEvent;
import dev.cove.api.events.FilesChanged;
import dev.cove.api.events.JobUpdate;
import dev.cove.api.events.LibraryChanged;
import dev.cove.api.events.LocationChanged;
import dev.cove.api.events.SessionEvent;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.Request;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.ServerHello;
import dev.cove.rpc.client.StreamItem;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The app's one line to the daemon. Every call leaves the FX thread at once (a {@link CoreClient} call may have
 * to connect first, which blocks) and its result comes back on the FX thread. A pump thread holds a
 * subscription to the domain events: while it is open the daemon is "connected"; when it ends the link says
 * so, retries with a back-off, and on success tells every view to reload (events were missed meanwhile).
 */
final class DaemonLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DaemonLink.class);

    /** What the status bar and the banner show. */
    enum State { CONNECTING, CONNECTED, DISCONNECTED }

    @SuppressWarnings("unchecked")
    private static final Class<? extends CoveEvent>[] DOMAIN_EVENTS = new Class[]{JobUpdate.class, LibraryChanged.class,
            LocationChanged.class, FilesChanged.class, SessionEvent.class, ClientConnected.class, ClientDisconnected.class};

    private final DesktopOptions options;
    private final CoreClient client;
    private final ExecutorService io;
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(State.CONNECTING);
    private final StringProperty problem = new SimpleStringProperty("");
    private final ObjectProperty<DaemonStatus> status = new SimpleObjectProperty<>();
    private final List<Consumer<CoveEvent>> eventListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();
    private final FxQueue<CoveEvent> events;
    private final Thread pump;
    private volatile boolean startWanted;
    private volatile boolean closed;
    private volatile EventStream stream;

    DaemonLink(DesktopOptions options) {
        this.options = options;
        this.client = Cove.client(options.instance()).clientName("cove-desktop", Cove.VERSION)
                .timeout(Duration.ofSeconds(60)).build();
        AtomicInteger n = new AtomicInteger();
        // platform threads: a CoreClient call may block connecting, and blocked socket I/O belongs off virtual threads
        this.io = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon().name("cove-io-" + n.incrementAndGet())
                .unstarted(r));
        this.events = FxQueue.of(50_000, batch -> batch.forEach(e -> eventListeners.forEach(l -> l.accept(e))));
        this.startWanted = options.autoStart();
        this.pump = Thread.ofPlatform().daemon().name("cove-events").unstarted(this::pumpLoop);
    }

    void start() {
        pump.start();
    }

    CoreClient client() {
        return client;
    }

    DesktopOptions options() {
        return options;
    }

    ReadOnlyObjectProperty<State> stateProperty() {
        return state;
    }

    /** Why the daemon cannot be reached, for the banner; "" while connected. */
    ReadOnlyStringProperty problemProperty() {
        return problem;
    }

    /** The daemon's last status answer (refreshed by {@link #refreshStatus}). */
    ReadOnlyObjectProperty<DaemonStatus> statusProperty() {
        return status;
    }

    /** Runs on the FX thread for every domain event. */
    void onEvent(Consumer<CoveEvent> listener) {
        eventListeners.add(listener);
    }

    /** Runs on the FX thread after each (re)connection: views reload what they show. */
    void onConnected(Runnable listener) {
        connectListeners.add(listener);
    }

    /** Calls the daemon; the future completes on the FX thread. Never blocks the caller. */
    <R> CompletableFuture<R> call(Request<R> request) {
        CompletableFuture<R> fx = new CompletableFuture<>();
        if (closed) {
            return fx; // the window is gone: timers that still fire get no answer, and need none
        }
        execute(() -> {
            CompletableFuture<R> f;
            try {
                f = client.callAsync(request);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, ex) -> Platform.runLater(() -> {
                if (ex != null) {
                    fx.completeExceptionally(unwrap(ex));
                } else {
                    fx.complete(v);
                }
            }));
        });
        return fx;
    }

    /** Runs blocking work (a subscription, a helper client) off the FX thread. */
    void background(Runnable work) {
        execute(work);
    }

    private void execute(Runnable work) {
        try {
            io.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("not run, the app is closing"); // close() raced the caller; nothing waits for this work
        }
    }

    void refreshStatus() {
        if (state.get() != State.CONNECTED) {
            return;
        }
        call(new GetStatus()).whenComplete((s, ex) -> {
            if (s != null) {
                status.set(s);
            }
        });
    }

    /** Asks the pump to start a daemon on its next attempt (the banner's button), and to try now. */
    void startDaemon() {
        startWanted = true;
        pump.interrupt();
    }

    /** Retry now rather than after the back-off. */
    void retryNow() {
        pump.interrupt();
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** What to tell the user about a failure: the daemon's own message where there is one. */
    static String message(Throwable t) {
        t = unwrap(t);
        if (t instanceof RpcException re) {
            return re.getMessage() + (re.code() == ErrorCode.EXECUTION_ERROR ? "" : " (" + re.code() + ")");
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private void pumpLoop() {
        long backoff = 250;
        while (!closed) {
            try {
                if (startWanted) {
                    startWanted = false;
                    String failed = startDaemonNow();
                    if (failed != null) {
                        lost(failed); // why the start failed says more than "no daemon is running"
                        sleepOrRetry(2000);
                        continue;
                    }
                }
                ServerHello hello = client.connect();
                EventStream s = client.subscribe(EventFilter.NONE, DOMAIN_EVENTS);
                stream = s;
                log.info("connected to {} {} (pid {})", hello.server(), hello.version(), hello.pid());
                Platform.runLater(this::connected);
                backoff = 250;
                String reason = follow(s);
                lost("the daemon went away (" + reason + ")");
            } catch (RpcException e) {
                lost(e.getMessage());
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                continue; // "retry now" / "start daemon"
            }
            sleepOrRetry(backoff);
            backoff = Math.min(backoff * 2, 2000);
        }
    }

    /** The reconnect back-off (nothing announces a daemon coming back); "retry now" interrupts it. */
    private void sleepOrRetry(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // retry now, or closing: the loop checks which
        }
    }

    /** Reads the stream until it ends; returns why it ended. */
    private String follow(EventStream s) throws InterruptedException {
        try {
            while (true) {
                StreamItem item = s.next();
                switch (item) {
                    case StreamItem.Delivered d when d.event() instanceof CoveEvent e -> events.add(e);
                    case StreamItem.Delivered d -> log.debug("ignored event {}", d.type());
                    // missed events: the views reload, which is what a reconnection does too
                    case StreamItem.Lagged l -> Platform.runLater(this::connected);
                    case StreamItem.Ended e -> {
                        return e.reason();
                    }
                }
            }
        } finally {
            stream = null;
            s.close();
        }
    }

    /** Starts a daemon for the instance; returns null, or why it could not. */
    private String startDaemonNow() {
        Platform.runLater(() -> {
            state.set(State.CONNECTING);
            problem.set("starting a daemon for instance '" + options.instance().instance() + "'…");
        });
        // a separate, short-lived client carries the launcher, so that later reconnections never start one behind
        // the user's back (after `cove shutdown`, say)
        try (CoreClient starter = Cove.client(options.instance()).clientName("cove-desktop-starter", Cove.VERSION)
                .autoStart().build()) {
            starter.connect();
            return null;
        } catch (RpcException e) {
            log.warn("could not start a daemon: {}", e.getMessage());
            return "could not start a daemon: " + e.getMessage();
        }
    }

    private void connected() {
        state.set(State.CONNECTED);
        problem.set("");
        refreshStatus();
        connectListeners.forEach(Runnable::run);
    }

    private void lost(String why) {
        if (closed) {
            return;
        }
        log.info("not connected: {}", why);
        Platform.runLater(() -> {
            state.set(State.DISCONNECTED);
            problem.set(why);
        });
    }

    @Override
    public void close() {
        closed = true;
        pump.interrupt();
        EventStream s = stream;
        if (s != null) {
            s.close();
        }
        client.close();
        io.shutdownNow();
    }
}
