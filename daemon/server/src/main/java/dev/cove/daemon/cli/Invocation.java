package dev.cove.daemon.cli;

import dev.cove.api.cli.CliExit;
import dev.cove.api.cli.CliInvocation;
import dev.cove.api.cli.CliPart;
import dev.cove.api.cli.HostedCli;
import dev.cove.api.cli.RunCli;
import dev.cove.api.files.FileNames;
import dev.cove.rpc.CallContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One command line the daemon runs for a client. What the command writes is queued and sent by a pump thread as
 * {@link CliPart}s: writes made while a part is on its way join the next one, so a command printing line by line
 * costs a frame per burst, not per line; past {@link #MAX_QUEUED} bytes the command waits for the client (a slow
 * terminal slows the command, never the daemon's memory). A read asks the client for input through the same queue,
 * so a question is on the client's screen before the client reads the answer.
 */
public final class Invocation implements CliInvocation {
    private static final Logger log = LoggerFactory.getLogger(Invocation.class);
    static final int MAX_QUEUED = 1 << 20;
    /** What a Ctrl-C ends a command with when the command set no action of its own (as a shell reports SIGINT). */
    static final int INTERRUPTED = 130;
    private static final AtomicLong ids = new AtomicLong();
    /**
     * The threads that send commands' output: reused, since a thread made for each command cost a short command
     * (`cove --version`) a third of its time in the daemon. Platform threads: a pump waits in Object.wait, which
     * pins a virtual thread's carrier on JDK 21.
     */
    private static final java.util.concurrent.ExecutorService PUMPS = java.util.concurrent.Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon().name("cove-cli-out-" + ids.incrementAndGet()).unstarted(r));

    private final RunCli request;
    private final List<String> args;
    private final Path cwd;
    private final CallContext call;
    private final CopyOnWriteArrayList<Runnable> onInterrupt = new CopyOnWriteArrayList<>();
    private volatile Thread command;
    /** Set when a Ctrl-C stopped the command (it had no action of its own). */
    private volatile boolean interrupted;

    // the queue of parts to send; guarded by `this`
    private final ArrayDeque<Object[]> queue = new ArrayDeque<>();
    private long queued;
    private boolean closed;
    private IOException sendFailed;

    // input the client sent; guarded by `input`
    private final Object input = new Object();
    /** What the client sent and the command has not read yet, in order; none is empty. */
    private final ArrayDeque<java.nio.ByteBuffer> inputUnread = new ArrayDeque<>();
    private boolean inputEof;
    private boolean inputAsked;

    private final OutputStream stdout = new Stream(CliPart.OUT);
    private final OutputStream stderr = new Stream(CliPart.ERR);
    private final InputStream stdin = new In();

    Invocation(RunCli request, CallContext call) {
        this.request = request;
        this.call = call;
        // the same string form the CLI in a JVM of its own reads its argv into (Args.exact): a name that is not
        // UTF-8 keeps its bytes
        this.args = request.args().stream().map(FileNames::decode).toList();
        String folder = FileNames.decode(request.cwd()); // absolute: RunCli checks it
        Path cwd;
        try {
            cwd = FileNames.path(folder);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("cwd '" + FileNames.display(folder) + "' is not a path: " + e.getMessage());
        }
        this.cwd = cwd;
    }

    String session() {
        return request.session();
    }

    /** Runs the command on this thread and sends what it printed; the pump runs on a thread of its own. */
    CliExit run(HostedCli cli) throws InterruptedException {
        command = Thread.currentThread();
        java.util.concurrent.Future<?> pump = PUMPS.submit(this::pump);
        int status;
        try {
            status = cli.run(this);
        } finally {
            synchronized (this) {
                closed = true;
                notifyAll();
            }
        }
        try {
            pump.get(); // everything printed reaches the client before the exit status does
        } catch (java.util.concurrent.ExecutionException e) {
            log.debug("a command's output pump failed: {}", e.getCause().toString());
        }
        Thread.interrupted(); // an interrupt meant for the command is not the call's
        return new CliExit(interrupted ? INTERRUPTED : status, false);
    }

    /** A Ctrl-C at the client: the command's own action, else the command stops. */
    public void interrupt() {
        List<Runnable> actions = List.copyOf(onInterrupt);
        if (actions.isEmpty()) {
            interrupted = true;
            Thread t = command;
            if (t != null) {
                t.interrupt();
            }
            return;
        }
        // off the caller's thread: the action may call the daemon (cancel a job) through this same daemon
        Thread.ofPlatform().daemon().name("cove-cli-interrupt").start(() -> actions.get(actions.size() - 1).run());
    }

    /** The client sent input (or its end) after a read asked for it. */
    public void input(byte[] data, boolean eof) {
        synchronized (input) {
            if (data != null && data.length > 0) {
                inputUnread.addLast(java.nio.ByteBuffer.wrap(data));
            }
            inputEof |= eof;
            inputAsked = false;
            input.notifyAll();
        }
    }

    /** The client went away (or stopped waiting): the command stops, its output goes nowhere. */
    void abandon() {
        synchronized (input) {
            inputEof = true;
            input.notifyAll();
        }
        Thread t = command;
        if (t != null) {
            t.interrupt();
        }
    }

    private void enqueue(String kind, byte[] b, int off, int len) throws IOException {
        synchronized (this) {
            while (queued >= MAX_QUEUED && sendFailed == null && !closed) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the client was slow to read");
                }
            }
            if (sendFailed != null) {
                throw new IOException("the client is gone", sendFailed);
            }
            Object[] last = queue.peekLast();
            if (last != null && last[0].equals(kind) && !kind.equals(CliPart.READ)) {
                ((ByteArrayOutputStream) last[1]).write(b, off, len);
            } else {
                ByteArrayOutputStream part = new ByteArrayOutputStream(Math.max(32, len));
                part.write(b, off, len);
                queue.addLast(new Object[]{kind, part});
            }
            queued += len;
            notifyAll();
        }
    }

    private void pump() {
        while (true) {
            Object[] next;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                next = queue.pollFirst();
                if (next == null) {
                    return; // closed and drained
                }
            }
            byte[] data = ((ByteArrayOutputStream) next[1]).toByteArray();
            try {
                call.progress(new CliPart((String) next[0], data));
            } catch (IOException | RuntimeException e) {
                log.debug("a command's output could not reach its client: {}", e.toString());
                synchronized (this) {
                    sendFailed = e instanceof IOException io ? io : new IOException(e);
                    queue.clear();
                    notifyAll();
                }
                abandon();
                return;
            }
            synchronized (this) {
                queued -= data.length;
                notifyAll();
            }
        }
    }

    private final class Stream extends OutputStream {
        private final String kind;

        Stream(String kind) {
            this.kind = kind;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > 0) {
                enqueue(kind, b, off, len);
            }
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            boolean ask;
            synchronized (input) {
                ask = inputUnread.isEmpty() && !inputEof && !inputAsked;
                if (ask) {
                    inputAsked = true;
                }
            }
            if (ask) {
                enqueue(CliPart.READ, new byte[0], 0, 0);
            }
            synchronized (input) {
                while (inputUnread.isEmpty() && !inputEof) {
                    try {
                        input.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for input");
                    }
                }
                java.nio.ByteBuffer next = inputUnread.peekFirst();
                if (next == null) {
                    return -1;
                }
                int n = Math.min(len, next.remaining());
                next.get(b, off, n);
                if (!next.hasRemaining()) {
                    inputUnread.removeFirst();
                }
                return n;
            }
        }
    }

    /**
     * Runs a few commands against this daemon, output dropped: the classes they need load now, and the JIT has
     * seen them, instead of during the first command a person types.
     */
    static int warmUp(HostedCli cli, dev.cove.rpc.instance.InstancePaths paths) {
        List<String> here = List.of("--data-dir", paths.dataDir().toString(), "--instance", paths.instance());
        List<List<String>> commands = new java.util.ArrayList<>();
        for (int i = 0; i < Integer.getInteger("cove.cli.warmUp", 3); i++) {
            commands.addAll(List.of(List.of("--version"), List.of("--help"), List.of("ping"), List.of("status"),
                    List.of("status", "--json"), List.of("library", "list"), List.of("search", "--help")));
        }
        for (List<String> command : commands) {
            List<String> args = new java.util.ArrayList<>(here);
            args.addAll(command);
            RunCli r = new RunCli("warm-up", args.stream().map(FileNames::encode).toList(), FileNames.encode("/"),
                    Map.of(), false, false, false, 0, 0);
            Invocation inv = new Invocation(r, new CallContext() {
                @Override
                public String method() {
                    return "warm-up";
                }

                @Override
                public dev.cove.rpc.PeerInfo peer() {
                    return null;
                }

                @Override
                public boolean isCancelled() {
                    return false;
                }

                @Override
                public java.time.Instant deadline() {
                    return java.time.Instant.MAX;
                }

                @Override
                public void progress(Object part) {
                    // nobody to show it to
                }
            });
            try {
                inv.run(cli);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return commands.size();
            }
        }
        return commands.size();
    }

    // ---- CliInvocation ----

    @Override
    public List<String> args() {
        return args;
    }

    @Override
    public Path cwd() {
        return cwd;
    }

    @Override
    public Map<String, String> env() {
        return request.env();
    }

    @Override
    public boolean stdinTerminal() {
        return request.stdinTerminal();
    }

    @Override
    public boolean stdoutTerminal() {
        return request.stdoutTerminal();
    }

    @Override
    public int columns() {
        return request.columns();
    }

    @Override
    public OutputStream stdout() {
        return stdout;
    }

    @Override
    public OutputStream stderr() {
        return stderr;
    }

    @Override
    public InputStream stdin() {
        return stdin;
    }

    @Override
    public AutoCloseable onInterrupt(Runnable action) {
        onInterrupt.add(action);
        return () -> onInterrupt.remove(action);
    }
}
