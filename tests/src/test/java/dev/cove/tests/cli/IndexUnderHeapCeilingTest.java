package dev.cove.tests.cli;

import dev.cove.api.Cove;
import dev.cove.api.libraries.GetLibrary;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;
import dev.cove.tests.cli.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon started the way {@code cove start} starts it runs under the default heap ceiling and heap tuning, and
 * indexing 200,000 files under it completes with every entry indexed (the ceiling is not so low that indexing fails).
 */
class IndexUnderHeapCeilingTest {
    static final int FILES = 200_000;
    @TempDir
    Path tmp;
    Cli cli;

    @AfterEach
    void tearDown() {
        if (cli != null) {
            cli.killDaemons();
        }
    }

    @Test
    void indexing200000FilesSucceedsUnderTheDefaultHeapCeiling() throws IOException {
        Path tree = tmp.resolve("tree");
        Random r = new Random(5);
        byte[] data = new byte[256];
        Path dir = null;
        for (int i = 0; i < FILES; i++) {
            if (i % 100 == 0) {
                dir = Files.createDirectories(tree.resolve("d" + i % 7).resolve("folder-" + i));
            }
            r.nextBytes(data);
            try (FileChannel ch = FileChannel.open(dir.resolve("file_" + Integer.toString(r.nextInt(1 << 30), 36) + "-" + i + ".dat"),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(data, 0, r.nextInt(data.length)));
            }
        }
        long onDisk;
        try (Stream<Path> w = Files.walk(tree)) {
            onDisk = w.count();
        }
        cli = Cli.under(tmp);
        ok(cli.run("start"));
        long pid = cli.lockPid("default");
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertTrue((" " + cmdline + " ").contains(" " + DaemonLauncher.DEFAULT_HEAP_CEILING + " "),
                "the daemon runs with the default heap ceiling: " + cmdline);
        for (String flag : DaemonLauncher.DEFAULT_HEAP_TUNING) { // what keeps its RSS down while indexing
            assertTrue((" " + cmdline + " ").contains(" " + flag + " "), "the daemon runs with " + flag + ": " + cmdline);
        }
        ok(cli.run("library", "create", "Big"));
        ok(cli.run("location", "add", tree.toString(), "--wait"));
        try (CoreClient c = Cove.client(cli.paths("default")).build()) {
            assertEquals(onDisk, c.call(new GetLibrary("Big")).entries(), "every file and folder is indexed");
        }
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        System.out.println("daemon peak RSS indexing " + FILES + " files: "
                + status.lines().filter(l -> l.startsWith("VmHWM")).findFirst().orElse("?"));
    }

    static Result ok(Result r) {
        assertEquals(0, r.exit(), r::toString);
        return r;
    }
}
