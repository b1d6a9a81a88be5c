package dev.cove.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI runs inside the daemon for the native client, many commands at once: code that can run there must not
 * exit or halt the JVM, print to its streams, read its stdin, environment or working folder, or take its signals.
 * Only the process's own entry (CoveCli.main, CliContext.ofProcess) and the commands that always run in a JVM of
 * their own may. A review catches most of this; this catches what a review misses.
 */
class ProcessStateTest {
    private static final Pattern PROCESS_STATE = Pattern.compile("System\\.(out|err|in|exit|getenv|console|setOut|setErr"
            + "|setIn)\\b|\\.halt\\(|sun\\.misc\\.Signal\\b|addShutdownHook|toAbsolutePath\\(\\)|Path\\.of\\(\"\"\\)"
            + "|\"user\\.dir\"");

    /** Where process state is the point: the local entry, and commands marked {@link RunsLocally}. */
    private static final Set<String> ALLOWED = Set.of("CoveCli.java", "CliContext.java", "CancelOnInterrupt.java",
            "commands/DaemonCommand.java", "commands/RunCommand.java");

    @Test
    void noCodeThatCanRunInTheDaemonTouchesTheProcess() throws IOException {
        Path src = Path.of("src/main/java/dev/cove/cli");
        assertTrue(Files.isDirectory(src), "run from clients/cli: " + Path.of("").toAbsolutePath());
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String rel = src.relativize(f).toString();
                if (ALLOWED.contains(rel)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                        continue; // comments may name what they avoid
                    }
                    Matcher m = PROCESS_STATE.matcher(code);
                    if (m.find()) {
                        found.add(rel + ":" + (i + 1) + ": " + code);
                    }
                }
            }
        }
        assertEquals(List.of(), found, "process-wide state in code the daemon may run; use the command's CliContext");
    }

    @Test
    void theCommandsAllowedTheProcessRunInAJvmOfTheirOwn() {
        for (Class<?> c : List.of(dev.cove.cli.commands.DaemonCommand.class, dev.cove.cli.commands.RunCommand.class)) {
            assertTrue(c.isAnnotationPresent(RunsLocally.class), c.getSimpleName() + " must be @RunsLocally");
        }
    }
}
