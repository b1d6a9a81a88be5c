package dev.cove.cli;

import dev.cove.api.CoveIdentity;
import dev.cove.api.core.GetStatus;
import dev.cove.api.core.Ping;
import dev.cove.api.files.FileEntry;
import dev.cove.api.files.FileNames;
import dev.cove.api.files.ListFiles;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.files.SearchResult;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.instance.DaemonSocket;
import dev.cove.rpc.instance.InstancePaths;
import dev.cove.rpc.instance.PathRule;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The commands people run most, as their plain forms: {@code status}, {@code ping}, {@code search [TEXT]
 * [-l LIB] [-n N] [-a]}, {@code ls [DIR] [-l LIB]}, {@code start} (see {@link QuickStart}) and {@code --version}, with
 * {@code --instance} and
 * {@code --data-dir} anywhere. They run here without picocli, Jackson databind or {@code CoreClient}
 * (see docs/cli.md, "Start-up time"): a hand-written parse of the few arguments they take, one
 * {@link LeanClient} call, and the same printing ({@link Views}) as their picocli commands.
 *
 * <p>Anything else is not handled here, and {@link #run} says so before it has printed or sent anything:
 * other commands, any option these forms do not take, {@code --json}, {@code --help}, a value to be checked
 * or a library to be found by the full CLI, and every failure to connect or to decode. The full CLI then
 * runs the command as it always has, with its own messages. These commands are queries, so reaching the
 * daemon twice changes nothing; {@code start} hands over only before it has spawned a daemon. An error the
 * daemon answers with (or a failed start) is reported here, as the full CLI would.
 */
public final class QuickLane {
    /** {@link #run}'s answer when the full CLI should run the command. */
    public static final int NOT_HANDLED = -1;

    // the methods of the request records (@Method), written out: reading annotations costs a dynamic proxy
    static final String STATUS = "query:core.status.v1";
    static final String PING = "query:core.ping.v1";
    static final String SEARCH = "query:files.search.v1";
    static final String LIST = "query:files.list.v1";
    /** As {@code CoveCli.DEFAULT_TIMEOUT}. */
    static final long TIMEOUT_MILLIS = 30_000;

    private QuickLane() {
    }

    /**
     * Runs the command if it is one of the forms above, and returns its exit status; otherwise returns
     * {@link #NOT_HANDLED} having printed nothing.
     */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        Parsed a = Parsed.of(args);
        if (a == null) {
            return NOT_HANDLED;
        }
        if (a.command == null) {
            out.println("cove " + version());
            out.println("Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
            return ExitCodes.OK;
        }
        try {
            // Cove's identity named, not looked up: the class path's lookup (a ServiceLoader) costs a quick command ms
            InstancePaths paths = new InstancePaths(a.dataDir != null ? Path.of(a.dataDir)
                    : CoveIdentity.APP.defaultDataDir(env), a.instance, CoveIdentity.APP);
            if (a.command.equals("start")) {
                return QuickStart.run(paths, env, out);
            }
            if (a.isSearch() && (a.all || a.limit == 0)) {
                String lib = library(a, env, paths);
                return lib == null ? NOT_HANDLED : searchAll(paths, lib, a.text(), out, err);
            }
            Object request = switch (a.command) {
                case "status" -> new GetStatus();
                case "ping" -> new Ping();
                case "search", "find" -> {
                    if (a.limit < 1 || a.limit > SearchFiles.MAX_LIMIT) {
                        yield null;
                    }
                    String lib = library(a, env, paths);
                    yield lib == null ? null : search(lib, a.text(), a.limit, null);
                }
                case "ls" -> {
                    String lib = library(a, env, paths);
                    yield lib == null ? null : new ListFiles(lib, Args.absolute(a.positional == null ? "." : a.positional));
                }
                default -> null;
            };
            if (request == null) {
                return NOT_HANDLED;
            }
            Object answer;
            long rtt;
            try (LeanClient client = LeanClient.connect(paths, "cove-cli", version())) {
                long t0 = System.nanoTime();
                answer = client.call(method(request), payload(request), TIMEOUT_MILLIS);
                rtt = System.nanoTime() - t0;
            }
            if (request instanceof GetStatus) {
                Views.status(out, Payloads.status(answer), Supervision.of(paths));
            } else if (request instanceof Ping) {
                Views.pong(out, Payloads.pong(answer), rtt);
            } else if (request instanceof SearchFiles) {
                Views.search(out, Payloads.searchResult(answer), null);
            } else {
                Views.ls(out, Payloads.fileList(answer));
            }
            return ExitCodes.OK;
        } catch (RpcException e) {
            return RpcErrors.report(e, err);
        } catch (DaemonSocket.UntrustedServerException e) {
            return RpcErrors.report(e.toRpcException(), err); // nothing was sent to it
        } catch (PathRule.UnsafeFolderException e) {
            return RpcErrors.report(e.refusal().toRpcException(), err);
        } catch (IOException | RuntimeException e) {
            return NOT_HANDLED; // nothing printed yet: the full CLI runs it and reports what it finds
        }
    }

    /**
     * {@code search --all} (or {@code --limit 0}): every path, page after page, as the full CLI's text form prints
     * them. Once a line is out, a failure is reported here rather than handed to the full CLI, which would print
     * the first pages again.
     */
    private static int searchAll(InstancePaths paths, String lib, String text, PrintWriter out, PrintWriter err)
            throws IOException {
        boolean printed = false;
        try (LeanClient client = LeanClient.connect(paths, "cove-cli", version())) {
            String cursor = null;
            do {
                SearchResult r = Payloads.searchResult(client.call(SEARCH,
                        Payloads.search(search(lib, text, SearchFiles.MAX_LIMIT, cursor)), TIMEOUT_MILLIS));
                for (FileEntry e : r.entries()) {
                    out.println(FileNames.display(e.path()));
                    printed = true;
                }
                out.flush();
                cursor = r.nextCursor();
            } while (cursor != null);
            return ExitCodes.OK;
        } catch (IOException | RuntimeException e) {
            if (!printed || e instanceof RpcException) {
                throw e;
            }
            err.println("cove: the search stopped part-way: " + e.getMessage());
            return ExitCodes.UNAVAILABLE;
        }
    }

    /** The plain search these forms take: a name substring (or every name), sorted by name. */
    private static SearchFiles search(String lib, String text, int limit, String cursor) {
        return new SearchFiles(lib, text, null, null, null, null, null, null, null, null, null, false, limit, cursor);
    }

    static String method(Object request) {
        if (request instanceof GetStatus) {
            return STATUS;
        }
        if (request instanceof Ping) {
            return PING;
        }
        if (request instanceof SearchFiles) {
            return SEARCH;
        }
        if (request instanceof ListFiles) {
            return LIST;
        }
        throw new IllegalArgumentException(request.getClass().getName());
    }

    /** The request's JSON payload, as {@code Json.MAPPER} writes it. */
    static Map<String, Object> payload(Object request) {
        if (request instanceof SearchFiles s) {
            return Payloads.search(s);
        }
        if (request instanceof ListFiles l) {
            return Payloads.list(l);
        }
        return Map.of(); // GetStatus and Ping have no fields
    }

    /** As {@link LibraryOption#resolve}, but null instead of the error that the full CLI gives. */
    private static String library(Parsed a, Map<String, String> env, InstancePaths paths) {
        if (a.library != null && !a.library.isBlank()) {
            return a.library.strip();
        }
        return new CliConfig(env, paths).defaultLibrary();
    }

    /**
     * As {@code Cove.VERSION}, without that class's start-up (it builds the table of event types): the
     * Implementation-Version of cove-cli.jar's manifest (the same project version), which the JVM has at hand
     * for a class loaded from a jar or from the AOT cache; looking up {@code version.properties} costs ~10 ms
     * (the module image, a jar URL connection and its logger). Run from class folders (tests), the resource.
     */
    static String version() {
        String v = QuickLane.class.getPackage().getImplementationVersion();
        return v != null ? v : dev.cove.api.CoveVersion.read();
    }

    /** The arguments of one of the forms above, or null when they are anything else. */
    static final class Parsed {
        String instance;
        String dataDir;
        String command;
        String positional;
        String library;
        int limit = SearchFiles.DEFAULT_LIMIT;
        boolean all;

        private static final Set<String> COMMANDS = Set.of("status", "ping", "search", "find", "ls", "start");

        static Parsed of(String[] args) {
            Parsed p = new Parsed();
            boolean version = false;
            boolean limitSet = false;
            List<String> positionals = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                boolean takesValue = name.equals("--instance") || name.equals("--data-dir")
                        || p.command != null && ((name.equals("-l") || name.equals("--library"))
                        && (p.isSearch() || p.command.equals("ls"))
                        || (name.equals("-n") || name.equals("--limit")) && p.isSearch());
                if (takesValue) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            return null;
                        }
                        value = args[++i];
                    }
                    if (value.isEmpty() || value.startsWith("-")) {
                        return null;
                    }
                    switch (name) {
                        case "--instance" -> {
                            if (p.instance != null) {
                                return null;
                            }
                            p.instance = value;
                        }
                        case "--data-dir" -> {
                            if (p.dataDir != null) {
                                return null;
                            }
                            p.dataDir = value;
                        }
                        case "-l", "--library" -> {
                            if (p.library != null) {
                                return null;
                            }
                            p.library = value;
                        }
                        default -> {
                            if (limitSet) {
                                return null;
                            }
                            limitSet = true;
                            try {
                                p.limit = Integer.parseInt(value);
                            } catch (NumberFormatException e) {
                                return null;
                            }
                        }
                    }
                } else if (p.command == null && (arg.equals("-V") || arg.equals("--version")) && !version) {
                    version = true;
                } else if (p.command != null && p.isSearch() && (arg.equals("-a") || arg.equals("--all")) && !p.all) {
                    p.all = true;
                } else if (arg.startsWith("-")) {
                    return null; // --json, --help, and every option these forms do not take
                } else if (p.command == null) {
                    if (!COMMANDS.contains(arg)) {
                        return null;
                    }
                    p.command = arg;
                } else {
                    positionals.add(arg);
                }
            }
            if (version != (p.command == null)) {
                return null; // no command and no --version is the usage; --version with a command is picocli's
            }
            boolean takesPositional = p.command != null && (p.isSearch() || p.command.equals("ls"));
            if (positionals.size() > (takesPositional ? 1 : 0)) {
                return null;
            }
            p.positional = positionals.isEmpty() ? null : positionals.get(0);
            return p;
        }

        /** The search text: null for every name. */
        String text() {
            return positional == null || positional.isEmpty() ? null : positional;
        }

        private boolean isSearch() {
            return command.equals("search") || command.equals("find");
        }
    }
}
