package dev.cove.graphql;

import dev.cove.rpc.instance.InstancePaths;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code cove [--instance NAME] [--data-dir DIR] graphql [OPTIONS]}: runs the GraphQL server until stopped. */
public final class GraphqlMain {
    private static final String USAGE = """
            Usage: cove [--instance NAME] [--data-dir DIR] graphql [OPTIONS]

            Serves every Cove operation and event over GraphQL: GraphiQL at http://BIND:PORT/,
            the endpoint (HTTP and WebSocket, graphql-transport-ws) at /graphql.

              --port N             port to listen on (default 8080; 0 picks a free one)
              --bind ADDR          address to bind (default 127.0.0.1)
              --token-file PATH    read the token to require as 'Authorization: Bearer TOKEN' from this
                                   file (yours, not a link, mode 0600); or set COVE_GRAPHQL_TOKEN. By
                                   default a random one is generated at each start. While the server
                                   listens, {instance data}/graphql/token (mode 0600) holds it
              --no-auth            require no token (loopback binds only): any local user can then
                                   drive your daemon
              --no-auto-start      never start a daemon; wait for one (default: start it when none runs)
              --allow-host NAME    also accept this Host header (repeatable; loopback names always pass)
              --allow-origin URL   also accept browser requests from this origin (repeatable)
              --max-depth N        deepest query accepted (default 15)
              --max-complexity N   most fields a query may select (default 5000)
              --max-body BYTES     largest request body or WebSocket message (default 1048576)
              --init-timeout SECS  time a WebSocket client has to send connection_init (default 10)
              -h, --help           this text
            Stops cleanly on Ctrl-C or SIGTERM (subscriptions end, the daemon connection closes).
            Exit status: 2 on bad arguments, 1 if the server cannot start.
            """;

    static final String TOKEN_ENV = "COVE_GRAPHQL_TOKEN";

    private GraphqlMain() {
    }

    public static void main(String[] args) throws Exception {
        // a named config rather than logback.xml, so that putting this jar on a class path (the tests do)
        // does not reconfigure that program's logging
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "cove-graphql-logback.xml");
        }
        GraphqlServer.Options o;
        try {
            Parsed p = parse(args);
            if (p == null) {
                System.out.print(USAGE);
                return;
            }
            o = p.options();
            String env = System.getenv(TOKEN_ENV);
            if (o.token() == null && env != null && !env.isBlank()) {
                o = o.withToken(env.strip());
            }
            if (o.noAuth() && o.token() != null) {
                throw new IllegalArgumentException("--no-auth and a token (--token-file or " + TOKEN_ENV + ") contradict "
                        + "each other: give one of them");
            }
            if (o.noAuth() && !GraphqlServer.isLoopback(o.bind())) {
                throw new IllegalArgumentException("--no-auth is only allowed on a loopback bind, not on " + o.bind()
                        + ": beyond loopback every request needs the token");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("cove graphql: " + e.getMessage());
            System.err.println("Run 'cove graphql --help' for the options.");
            System.exit(2);
            return;
        }
        boolean given = o.token() != null;
        GraphqlServer server;
        try {
            server = GraphqlServer.start(o);
        } catch (IllegalArgumentException e) {
            System.err.println("cove graphql: " + e.getMessage());
            System.exit(2);
            return;
        } catch (java.io.UncheckedIOException e) {
            System.err.println("cove graphql: " + e.getMessage());
            System.exit(1);
            return;
        } catch (java.io.IOException e) {
            System.err.println("cove graphql: cannot listen on " + o.bind() + ":" + o.port() + ": " + e.getMessage()
                    + (o.port() != 0 ? " (is another server using the port? try --port)" : ""));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "graphql-shutdown"));
        System.out.println("Cove GraphQL: " + server.uri() + " (GraphiQL), " + server.uri().resolve("/graphql")
                + " (endpoint)");
        if (server.token() == null) {
            System.err.println("WARNING: --no-auth: no token is required. Any local user who can reach "
                    + server.uri() + " can drive your daemon as you: read, move and delete your files, stop it.");
        } else {
            // printed once, on the terminal only (never logged); the fragment never reaches the server or its
            // logs: the page moves it into a header for the tab's session and removes it from the address bar
            System.out.println("Open GraphiQL: " + server.uri() + "#token=" + (given ? "YOUR_TOKEN" : server.token()));
            if (server.tokenFile() != null) {
                System.out.println("Token file (mode 0600): " + server.tokenFile());
                System.out.println("  curl -H \"Authorization: Bearer $(cat " + server.tokenFile() + ")\" -H 'content-type: "
                        + "application/json' -d '{\"query\":\"{ _server { connected } }\"}' " + server.uri().resolve("/graphql"));
            } else {
                System.out.println("Token: the one you gave (the token file " + TokenFile.of(o.instance())
                        + " holds the token of another running server of this instance)");
            }
        }
        stopped.await();
    }

    private record Parsed(GraphqlServer.Options options) {
    }

    static Parsed parse(String[] args) {
        Path dataDir = null;
        String instance = InstancePaths.DEFAULT;
        GraphqlServer.Options d = GraphqlServer.Options.defaults(InstancePaths.resolve(null, null));
        String bind = d.bind();
        int port = d.port();
        String token = null;
        boolean autoStart = true;
        boolean noAuth = false;
        Set<String> hosts = new LinkedHashSet<>();
        Set<String> origins = new LinkedHashSet<>();
        int maxDepth = d.maxDepth();
        int maxComplexity = d.maxComplexity();
        long maxBody = d.maxBody();
        Duration init = d.initTimeout();
        Deque<String> a = new ArrayDeque<>(List.of(args));
        while (!a.isEmpty()) {
            String arg = a.poll();
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--no-auto-start" -> autoStart = false;
                case "--no-auth" -> noAuth = true;
                case "--auto-start" -> autoStart = true;
                case "--json" -> {
                    // a global option of `cove`; meaningless here
                }
                default -> {
                    if (value == null && !arg.equals("--token")) {
                        if (a.isEmpty()) {
                            throw new IllegalArgumentException("unknown option or missing value: " + arg);
                        }
                        value = a.poll();
                    }
                    switch (arg) {
                        case "--instance" -> instance = value;
                        case "--data-dir" -> dataDir = Path.of(value);
                        case "--port" -> port = intArg(arg, value, 0, 65535);
                        case "--bind" -> bind = value;
                        case "--token" -> throw new IllegalArgumentException("--token is not accepted: a token on the "
                                + "command line can be read by every user of this machine (ps, /proc/PID/cmdline). Put it "
                                + "in a file only you can read and give --token-file PATH (chmod 600 PATH), or set "
                                + TOKEN_ENV + "; with neither, a random token is generated");
                        case "--token-file" -> token = TokenFile.readGiven(Path.of(value));
                        case "--allow-host" -> hosts.add(value);
                        case "--allow-origin" -> origins.add(value);
                        case "--max-depth" -> maxDepth = intArg(arg, value, 1, 1000);
                        case "--max-complexity" -> maxComplexity = intArg(arg, value, 1, 10_000_000);
                        case "--max-body" -> maxBody = intArg(arg, value, 1024, Integer.MAX_VALUE - 8);
                        case "--init-timeout" -> init = Duration.ofSeconds(intArg(arg, value, 1, 3600));
                        default -> throw new IllegalArgumentException("unknown option: " + arg);
                    }
                }
            }
        }
        InstancePaths paths;
        try {
            paths = InstancePaths.resolve(dataDir, instance);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return new Parsed(new GraphqlServer.Options(paths, bind, port, token, noAuth, autoStart, hosts, origins, maxDepth,
                maxComplexity, maxBody, d.callTimeout(), init));
    }

    private static int intArg(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value);
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", not " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a number, not '" + value + "'");
        }
    }
}
