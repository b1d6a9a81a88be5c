package dev.cove.daemon.cli;

import dev.cove.api.cli.CliExit;
import dev.cove.api.cli.HostedCli;
import dev.cove.rpc.instance.FileTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The CLI the daemon runs for the native {@code cove} client. The daemon does not depend on the CLI: it loads the
 * CLI's jars (COVE_CLI_CLASSPATH, which bin/cove sets) in a class loader of their own, as it loads plugins, and
 * finds {@link HostedCli} in them. Without them, every command runs in a JVM of its own, as before.
 */
public final class CliHost {
    private static final Logger log = LoggerFactory.getLogger(CliHost.class);

    private final HostedCli cli;
    private final Map<String, Invocation> running = new ConcurrentHashMap<>();

    private CliHost(HostedCli cli) {
        this.cli = cli;
    }

    /** The host for the CLI named by {@code COVE_CLI_CLASSPATH} in {@code env}; one that runs nothing without it. */
    public static CliHost fromEnvironment(Map<String, String> env, ClassLoader parent) {
        String classpath = env.get("COVE_CLI_CLASSPATH");
        if (classpath == null || classpath.isBlank()) {
            log.info("no CLI to host (COVE_CLI_CLASSPATH is not set): cove commands run in JVMs of their own");
            return new CliHost(null);
        }
        try {
            List<URL> urls = new ArrayList<>();
            for (Path jar : jars(classpath)) {
                // the CLI runs as this user, in this process: a jar another user could change would be their code
                Path[] real = {jar};
                String why = FileTrust.distrustRealPath(jar, real);
                if (why != null) {
                    log.error("not hosting the CLI: {} is not safe, {}; cove commands run in JVMs of their own", jar, why);
                    return new CliHost(null);
                }
                urls.add(real[0].toUri().toURL());
            }
            URLClassLoader loader = new URLClassLoader("cli", urls.toArray(URL[]::new), parent);
            Optional<HostedCli> found = ServiceLoader.load(HostedCli.class, loader).findFirst();
            if (found.isEmpty()) {
                log.error("not hosting the CLI: no HostedCli in {}", classpath);
                return new CliHost(null);
            }
            log.info("hosting the CLI from {} jar(s)", urls.size());
            return new CliHost(found.get());
        } catch (IOException | RuntimeException | java.util.ServiceConfigurationError | LinkageError e) {
            log.error("not hosting the CLI from {}: {}", classpath, e.toString());
            return new CliHost(null);
        }
    }

    /** The jars of a class path; an entry {@code dir/*} stands for the jars in that folder, as for {@code java -cp}. */
    static List<Path> jars(String classpath) throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            if (entry.endsWith("/*")) {
                Path dir = Path.of(entry.substring(0, entry.length() - 2));
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
                }
            } else {
                jars.add(Path.of(entry));
            }
        }
        return jars;
    }

    /** The CLI, or null when this daemon hosts none. */
    public HostedCli cli() {
        return cli;
    }

    /**
     * A client said hello: the first time it is the CLI (`cove start` checking that the daemon answers, or any
     * command), the CLI is warmed up off the clients' way, so that the next command a person types finds it warm.
     * Only then: warm, the CLI holds ~25 MB more of the daemon's memory (docs/benchmarks.md), which a daemon that
     * serves only applications (a private daemon, one a library started) has no use for.
     */
    public void clientConnected(String clientName, dev.cove.rpc.instance.InstancePaths paths) {
        if (cli != null && CLI_CLIENTS.contains(clientName) && warmedUp.compareAndSet(false, true)) {
            warmUp(paths);
        }
    }

    /** The names the CLI in a JVM of its own and the native client give in their hello. */
    private static final java.util.Set<String> CLI_CLIENTS = java.util.Set.of("cove-cli", "cove-native");
    private final java.util.concurrent.atomic.AtomicBoolean warmedUp = new java.util.concurrent.atomic.AtomicBoolean();

    /** Loads and runs the CLI once off the clients' way, so that the first command a person types finds it warm. */
    private void warmUp(dev.cove.rpc.instance.InstancePaths paths) {
        Thread.ofPlatform().daemon().name("cove-cli-warm-up").start(() -> {
            try {
                long t0 = System.nanoTime();
                int commands = Invocation.warmUp(cli, paths);
                log.info("CLI warmed up: {} commands in {} ms", commands, (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException | Error e) {
                log.warn("warming up the CLI failed: {}", e.toString());
            }
        });
    }

    void add(Invocation invocation) {
        if (running.putIfAbsent(invocation.session(), invocation) != null) {
            throw new IllegalArgumentException("session '" + invocation.session() + "' is already running a command");
        }
    }

    void remove(Invocation invocation) {
        running.remove(invocation.session(), invocation);
    }

    /** The running command of a session, if it runs. */
    public Optional<Invocation> running(String session) {
        return Optional.ofNullable(session == null ? null : running.get(session));
    }

    /**
     * Runs a command line for a client on the calling thread. A command that must run in a process of its own is
     * left to the client ({@link CliExit#local()}); with no CLI to host, the answer is UNAVAILABLE.
     */
    public CliExit run(dev.cove.api.cli.RunCli request, dev.cove.rpc.CallContext call) throws InterruptedException {
        if (cli == null) {
            throw new dev.cove.rpc.RpcException(dev.cove.rpc.ErrorCode.UNAVAILABLE, "this daemon hosts no CLI: "
                    + "COVE_CLI_CLASSPATH was not set when it started (bin/cove sets it); run the command in a JVM "
                    + "of its own");
        }
        Invocation invocation = new Invocation(request, call);
        if (cli.runsLocally(invocation.args())) {
            return new CliExit(0, true);
        }
        add(invocation);
        try {
            return invocation.run(cli);
        } finally {
            remove(invocation);
        }
    }
}
