package dev.cove.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cove.api.Cove;
import dev.cove.api.CoveVersion;
import dev.cove.cli.commands.CallCommand;
import dev.cove.cli.commands.CompletionCommand;
import dev.cove.cli.commands.DaemonCommand;
import dev.cove.cli.commands.DoctorCommand;
import dev.cove.cli.commands.service.ServiceCommand;
import dev.cove.cli.commands.EventsCommand;
import dev.cove.cli.commands.InstancesCommand;
import dev.cove.cli.commands.LogsCommand;
import dev.cove.cli.commands.MethodsCommand;
import dev.cove.cli.commands.PingCommand;
import dev.cove.cli.commands.RestartCommand;
import dev.cove.cli.commands.RunCommand;
import dev.cove.cli.commands.ShutdownCommand;
import dev.cove.cli.commands.StartCommand;
import dev.cove.cli.commands.StatusCommand;
import dev.cove.cli.commands.files.CpCommand;
import dev.cove.cli.commands.files.DuplicatesCommand;
import dev.cove.cli.commands.files.InfoCommand;
import dev.cove.cli.commands.files.LsCommand;
import dev.cove.cli.commands.files.MvCommand;
import dev.cove.cli.commands.files.RenameCommand;
import dev.cove.cli.commands.files.RmCommand;
import dev.cove.cli.commands.files.SearchCommand;
import dev.cove.cli.commands.jobs.JobsCommand;
import dev.cove.cli.commands.library.LibraryCommand;
import dev.cove.cli.commands.location.LocationCommand;
import dev.cove.cli.commands.sessions.SessionsCommand;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.instance.InstancePaths;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The {@code cove} command. Options declared here with {@code scope = INHERIT} are accepted by
 * every subcommand, before or after its name ({@code cove --json status} = {@code cove status --json}).
 * Subcommands reach them, and the shared helpers below, through {@code @ParentCommand}.
 */
@Command(name = "cove",
        description = "Talks to the Cove daemon: finds and moves files in your libraries, shows application "
                + "sessions, starts and stops the daemon and shows its state, logs and events.",
        versionProvider = CoveCli.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        footerHeading = "%n",
        footer = {
                "Only start, restart, daemon and run start a daemon; the others exit with status 3",
                "when none runs. The data folder is --data-dir, else $COVE_DATA_DIR, else",
                "$XDG_DATA_HOME/cove, else ~/.local/share/cove.",
                "Run `cove COMMAND --help` for a command's options. `cove graphql` and",
                "`cove desktop` (through bin/cove) run the GraphQL server and the desktop app."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the daemon reported an error, or the command failed",
                "2:usage error (bad option, argument or JSON payload)",
                "3:no daemon is running for the instance, or it cannot be reached",
                "4:the daemon did not answer in time",
                "5:the daemon failed to start",
                "6:the data folder cannot be used, or another user serves its socket",
                "7:start: a daemon runs already with other settings than those given (restart applies them)",
                "130:a job the command followed was cancelled with Ctrl-C"})
public final class CoveCli implements Callable<Integer> {
    @Option(names = "--instance", paramLabel = "NAME", scope = ScopeType.INHERIT, converter = InstanceName.class,
            description = "Named instance, with its own socket, lock, logs and data (default: default).")
    String instance;

    @Option(names = "--data-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Data folder (default: see below).")
    Path dataDir;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print machine-readable JSON on stdout.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version.")
    boolean version;

    @Spec
    CommandSpec spec;

    /** How long a quick query (status, ping, methods) may take before the CLI gives up with exit status 4. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final CliContext context;

    /** The CLI in a program's JVM, with {@code env} for the process's environment (see {@link CliContext#embedded}). */
    public CoveCli(Map<String, String> env) {
        this(CliContext.embedded(env));
    }

    public CoveCli(CliContext context) {
        this.context = context;
    }

    public static void main(String[] given) {
        String[] args = Args.exact(given);
        CliContext process = CliContext.ofProcess(stdoutIsTerminal());
        System.exit(execute(process, System.out.charset(), args));
    }

    /**
     * Runs one command line with {@code context}'s streams (written in {@code charset}, flushed at each line as a
     * terminal expects) and returns its exit status.
     */
    public static int execute(CliContext context, java.nio.charset.Charset charset, String[] args) {
        CommandLine cmd = commandLine(context, args)
                .setOut(new PrintWriter(new OutputStreamWriter(context.stdout(), charset), true))
                .setErr(new PrintWriter(new OutputStreamWriter(context.stderr(), charset), true));
        try {
            return cmd.execute(args);
        } finally {
            cmd.getOut().flush();
            cmd.getErr().flush();
        }
    }

    /** System.console() is non-null only with a terminal before JDK 22; from 22 on, Console.isTerminal() says. */
    private static boolean stdoutIsTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /**
     * The configured command line. {@code env} stands in for the process environment (data folder,
     * how to start a daemon), so tests can run the CLI in-process.
     */
    /** Every subcommand, in the order `cove --help` lists them within their groups. */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            LibraryCommand.class, LocationCommand.class, SearchCommand.class, LsCommand.class, InfoCommand.class,
            DuplicatesCommand.class, CpCommand.class, MvCommand.class, RmCommand.class, RenameCommand.class,
            JobsCommand.class, SessionsCommand.class, RunCommand.class,
            StartCommand.class, ShutdownCommand.class, RestartCommand.class, StatusCommand.class,
            PingCommand.class, LogsCommand.class, EventsCommand.class, MethodsCommand.class, CallCommand.class,
            InstancesCommand.class, DaemonCommand.class, DoctorCommand.class, ServiceCommand.class,
            CompletionCommand.class,
            dev.cove.cli.commands.upstream.UpstreamCommand.class, dev.cove.cli.commands.MetricsCommand.class);

    /** The whole command tree. */
    public static CommandLine commandLine(Map<String, String> env) {
        return commandLine(env, null);
    }

    /**
     * The command tree for one run: with {@code args} naming a subcommand, only that subcommand is built.
     * picocli builds each command's model by reflection as it is added, and building all of them is a
     * third of a `cove status` (measured: about 100 ms of 330); help, completion and unknown commands
     * get the whole tree.
     */
    public static CommandLine commandLine(Map<String, String> env, String[] args) {
        return commandLine(CliContext.embedded(env), args);
    }

    /** {@link #commandLine(Map, String[])} for a run with its own folder, environment, streams and terminal. */
    public static CommandLine commandLine(CliContext context, String[] args) {
        CommandLine cmd = new CommandLine(new CoveCli(context));
        Class<?> only = args == null ? null : subcommandNamed(args);
        List<Class<?>> needed = only != null ? List.of(only) : versionAlone(args) ? List.of() : SUBCOMMANDS;
        for (Class<?> c : needed) {
            cmd.addSubcommand(c);
        }
        // after the subcommands: picocli applies these to the commands present when they are set
        cmd.setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(CoveCli::executionFailed)
                .setParameterExceptionHandler(CoveCli::usageError);
        cmd.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, CoveCli::groupedCommands);
        asParagraphs(cmd);
        return cmd;
    }

    /**
     * Joins the lines of each command's description and footer into paragraphs, for picocli to wrap. picocli
     * wraps each element of {@code description = {...}} as a line of its own, so an element a little longer than
     * the 80 columns left its last word alone on the next line ("exit with status\n3\nwhen none runs"). An
     * element stays a line of its own when it is empty, starts with {@code %n}, a space or "Example" (examples,
     * lists), follows an example or a line ending in a colon, or follows a first line that is a whole sentence
     * (picocli's command list shows a command's first description line).
     */
    static void asParagraphs(CommandLine cmd) {
        CommandLine.Model.UsageMessageSpec usage = cmd.getCommandSpec().usageMessage();
        usage.description(paragraphs(usage.description()));
        usage.footer(paragraphs(usage.footer()));
        cmd.getSubcommands().values().forEach(CoveCli::asParagraphs);
    }

    static String[] paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String prev = out.isEmpty() ? null : out.get(out.size() - 1);
            boolean own = prev == null || prev.isBlank() || prev.stripTrailing().endsWith(":")
                    || prev.stripTrailing().endsWith("%n") || prev.startsWith("Example") || prev.startsWith(" ") || line.isBlank()
                    || line.startsWith("%n") || line.startsWith(" ") || line.startsWith("-") || line.startsWith("Example")
                    || out.size() == 1 && prev.stripTrailing().endsWith(".");
            if (own) {
                out.add(line);
            } else {
                out.set(out.size() - 1, prev.stripTrailing() + " " + line.strip());
            }
        }
        return out.toArray(String[]::new);
    }

    /** Whether the arguments are `--version` with global options only: then no subcommand is needed. */
    private static boolean versionAlone(String[] args) {
        if (args == null) {
            return false;
        }
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--instance") || a.equals("--data-dir")) {
                i++;
            } else if (a.equals("-V") || a.equals("--version")) {
                version = true;
            } else if (!a.startsWith("-") || a.equals("-h") || a.equals("--help")) {
                return false;
            }
        }
        return version;
    }

    /** The subcommand class the first word after the global options names, or null (then all are built). */
    public static Class<?> subcommandNamed(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--instance") || a.equals("--data-dir")) {
                i++;
                continue;
            }
            if (a.startsWith("-")) {
                continue;
            }
            if (a.equals("completion")) {
                return null; // the completion script covers every command
            }
            for (Class<?> c : SUBCOMMANDS) {
                Command command = c.getAnnotation(Command.class);
                if (command.name().equals(a) || List.of(command.aliases()).contains(a)) {
                    return c;
                }
            }
            return null;
        }
        return null;
    }

    /** The command list of `cove --help`, in groups. */
    private static final String[][] GROUPS = {
            {"Libraries and files:", "library", "location", "search", "ls", "info", "duplicates", "cp", "mv", "rm",
                    "rename", "jobs"},
            {"Application sessions:", "sessions", "run", "upstream", "metrics"},
            {"The daemon:", "start", "shutdown", "restart", "status", "ping", "logs", "events", "instances", "daemon",
                    "doctor", "service"},
            {"Tools:", "methods", "call", "completion"}};

    private static String groupedCommands(CommandLine.Help help) {
        Map<String, CommandLine.Help> all = help.subcommands();
        if (all.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        java.util.Set<String> shown = new java.util.HashSet<>();
        for (String[] g : GROUPS) {
            Map<String, CommandLine.Help> part = new java.util.LinkedHashMap<>();
            for (int i = 1; i < g.length; i++) {
                for (Map.Entry<String, CommandLine.Help> e : all.entrySet()) {
                    if (e.getValue().commandSpec().name().equals(g[i])) {
                        part.put(e.getKey(), e.getValue());
                        shown.add(e.getKey());
                    }
                }
            }
            if (!part.isEmpty()) {
                sb.append(g[0]).append(System.lineSeparator()).append(help.commandList(part));
            }
        }
        Map<String, CommandLine.Help> rest = new java.util.LinkedHashMap<>(all);
        rest.keySet().removeAll(shown);
        if (!rest.isEmpty()) {
            sb.append("Other:").append(System.lineSeparator()).append(help.commandList(rest));
        }
        return sb.toString();
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(err());
        return ExitCodes.USAGE;
    }

    // ---- what subcommands share ----

    public boolean json() {
        return json;
    }

    /** The environment of this run (the client's, when the CLI runs in the daemon). */
    public Map<String, String> env() {
        return context.env();
    }

    /** The folder, streams, terminal and Ctrl-C of this run. */
    public CliContext context() {
        return context;
    }

    /** Whether stdout is a terminal (progress bars redraw in place). */
    public boolean terminal() {
        return context.stdoutTerminal();
    }

    /** The terminal's width: the client's, else $COLUMNS, else 100. */
    public int terminalWidth() {
        return context.width();
    }

    /** {@code path} as given by the user, taken from the run's working folder when relative. */
    public Path path(Path path) {
        return context.resolve(path);
    }

    /** A path argument as an absolute, normalised path in FileNames' string form, from the run's working folder. */
    public String absolute(String path) {
        return Args.absolute(context.cwd(), path);
    }

    public List<String> absolute(List<String> paths) {
        return paths.stream().map(this::absolute).toList();
    }

    /** The CLI's own settings (the default library). */
    public CliConfig config() {
        return new CliConfig(env(), paths());
    }

    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /**
     * Raw bytes on stdout, for names that are not UTF-8 ({@code --print0}); what was printed through {@link #out()}
     * is flushed first. With captured output, each byte goes to out() as the character of that code (ISO-8859-1).
     */
    public java.io.OutputStream rawOut() {
        out().flush();
        if (context.stdout() != null) {
            return new java.io.BufferedOutputStream(context.stdout(), 64 * 1024);
        }
        PrintWriter w = out();
        return new java.io.OutputStream() {
            @Override
            public void write(int b) {
                w.write(b & 0xFF);
            }

            @Override
            public void flush() {
                w.flush();
            }
        };
    }

    public PrintWriter err() {
        return spec.commandLine().getErr();
    }

    public InstancePaths paths() {
        return new InstancePaths(path(dataDir != null ? dataDir : InstancePaths.defaultDataDir(env())), instance);
    }

    /** A client for the instance that never starts a daemon. JSON payloads: no Kryo start-up cost. */
    public CoreClient.Builder clientBuilder() {
        return Cove.client(paths()).encoding(Encoding.JSON).clientName("cove-cli", Cove.VERSION)
                .timeout(DEFAULT_TIMEOUT);
    }

    public CoreClient client() {
        return clientBuilder().build();
    }

    /** How to start a daemon process, from COVE_DAEMON_CLASSPATH (set by bin/cove) or COVE_LAUNCHER. */
    public DaemonLauncher launcher() {
        DaemonLauncher launcher = DaemonLauncher.fromEnvironment(env());
        if (launcher == null) {
            throw new CliException(ExitCodes.START_FAILED, "cannot start a daemon: this cove was not run through "
                    + "bin/cove, so COVE_DAEMON_CLASSPATH is not set. Run bin/cove from the Cove repository");
        }
        return launcher;
    }

    /** The command line a user would type for {@code sub} on this instance, for messages. */
    public String command(String sub) {
        return "cove" + (instance == null || instance.equals(InstancePaths.DEFAULT) ? "" : " --instance " + instance)
                + (dataDir == null ? "" : " --data-dir " + dataDir) + " " + sub;
    }

    /** Pretty-prints a value (a record, a map or a Jackson tree) as JSON on stdout. */
    public void printJson(Object value) {
        try {
            out().println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCodes.ERROR, "cannot print the result as JSON: " + e.getOriginalMessage());
        }
    }

    // ---- errors ----

    private static int executionFailed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof RpcException re) {
            return RpcErrors.report(re, err);
        }
        if (e instanceof CliException ce) {
            err.println("cove: " + ce.getMessage());
            return ce.exitCode();
        }
        err.println("cove: unexpected error: " + e);
        CommandLine root = cmd;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        if (((CoveCli) root.getCommand()).env().get("COVE_DEBUG") != null) {
            e.printStackTrace(err);
        } else {
            err.println("Set COVE_DEBUG=1 to see the stack trace, and please report it.");
        }
        return ExitCodes.ERROR;
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("cove: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Run `" + cmd.getCommandSpec().qualifiedName() + " --help` for usage.");
        return ExitCodes.USAGE;
    }

    /** Checks --instance while parsing, so a bad name is a usage error. */
    static final class InstanceName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                InstancePaths.checkName(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            // CoveVersion, not Cove.VERSION: initialising Cove (its event registry) costs a version-only run ~25 ms
            return new String[]{"cove " + CoveVersion.read(), "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
        }
    }
}
