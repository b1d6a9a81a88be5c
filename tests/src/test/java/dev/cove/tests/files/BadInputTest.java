package dev.cove.tests.files;

import dev.cove.api.files.CopyFiles;
import dev.cove.api.files.GetFileInfo;
import dev.cove.api.files.ListFiles;
import dev.cove.api.files.SearchFiles;
import dev.cove.api.jobs.GetJob;
import dev.cove.api.jobs.JobInfo;
import dev.cove.api.jobs.JobState;
import dev.cove.api.libraries.CreateLibrary;
import dev.cove.api.libraries.DeleteLibrary;
import dev.cove.api.libraries.RenameLibrary;
import dev.cove.api.locations.AddLocation;
import dev.cove.api.locations.RemoveLocation;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.Request;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets the right code and a message that names the thing and what to do. */
class BadInputTest {
    @TempDir
    static Path tmp;
    static FilesDaemon daemon;
    static CoreClient client;
    static String lib;

    @BeforeAll
    static void start() throws Exception {
        daemon = FilesDaemon.startBoundByPermissions(tmp.resolve("data"));
        client = daemon.client();
        lib = client.call(new CreateLibrary("Bad input")).id();
        Files.createDirectories(tmp.resolve("folder"));
        Files.writeString(tmp.resolve("folder/file.txt"), "x");
        FilesDaemon.awaitJob(client, client.call(new AddLocation(lib, tmp.resolve("folder").toString())).jobId(),
                Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    static RpcException fails(ErrorCode code, Request<?> r, String... inMessage) {
        RpcException e = assertThrows(RpcException.class, () -> client.call(r));
        assertEquals(code, e.code(), e.getMessage());
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), "message \"" + e.getMessage() + "\" should mention " + s);
        }
        return e;
    }

    @Test
    void unknownLibrary() {
        fails(ErrorCode.NOT_FOUND, new SearchFiles("Nope", "x"), "no library \"Nope\"", "Bad input");
        fails(ErrorCode.NOT_FOUND, new AddLocation("Nope", tmp.toString()), "Nope");
        fails(ErrorCode.NOT_FOUND, new DeleteLibrary("Nope"), "Nope");
        fails(ErrorCode.NOT_FOUND, new RemoveLocation(lib, 99), "no location 99");
        fails(ErrorCode.NOT_FOUND, new GetJob(123456), "no job 123456");
    }

    @Test
    void badNamesAndPaths() {
        fails(ErrorCode.CONFLICT, new CreateLibrary("BAD INPUT"), "already exists");
        fails(ErrorCode.NOT_FOUND, new AddLocation(lib, tmp.resolve("missing").toString()), "does not exist", "missing");
        fails(ErrorCode.INVALID_INPUT, new AddLocation(lib, tmp.resolve("folder/file.txt").toString()),
                "is a file, not a folder");
        fails(ErrorCode.INVALID_INPUT, new AddLocation(lib, "relative/path"), "must be absolute");
        fails(ErrorCode.CONFLICT, new AddLocation(lib, tmp.resolve("folder").toString()), "already location");
        fails(ErrorCode.NOT_FOUND, new ListFiles(lib, "/etc"), "not inside any location");
        fails(ErrorCode.INVALID_INPUT, new ListFiles(lib, tmp.resolve("folder/file.txt").toString()), "is a file");
        fails(ErrorCode.NOT_FOUND, new GetFileInfo(lib, tmp.resolve("folder/none.txt").toString()), "does not exist");
        fails(ErrorCode.NOT_FOUND, new CopyFiles(List.of(tmp.resolve("nothing").toString()), tmp.toString(), null),
                "no such file or folder");
        fails(ErrorCode.NOT_FOUND, new CopyFiles(List.of(tmp.resolve("folder/file.txt").toString()),
                tmp.resolve("no/such/dir/x").toString(), null), "does not exist");
        fails(ErrorCode.INVALID_INPUT, new CopyFiles(List.of(tmp.resolve("folder").toString()),
                tmp.resolve("folder/inner").toString(), null), "into itself");
    }

    @Test
    void contractValidationIsInvalidInput() {
        RpcException e = assertThrows(RpcException.class,
                () -> client.callJson("action:libraries.create.input.v1",
                        dev.cove.rpc.codec.Json.MAPPER.createObjectNode().put("name", " "), Duration.ofSeconds(10)));
        assertEquals(ErrorCode.INVALID_INPUT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("needs a name"), e.getMessage());
        RpcException s = assertThrows(RpcException.class, () -> client.callJson("query:files.search.v1",
                dev.cove.rpc.codec.Json.MAPPER.createObjectNode().put("library", lib).put("minSize", 10).put("maxSize", 5)
                        .put("descending", false).put("limit", 0), Duration.ofSeconds(10)));
        assertEquals(ErrorCode.INVALID_INPUT, s.code(), s.getMessage());
    }

    @Test
    void noPermission() throws Exception {
        // A copy into /sys fails with EACCES even for root: the job fails with a clear message.
        JobInfo job = client.call(new CopyFiles(List.of(tmp.resolve("folder/file.txt").toString()), "/sys", null));
        JobInfo end = FilesDaemon.awaitJob(client, job.id(), Duration.ofSeconds(30));
        assertEquals(JobState.FAILED, end.state());
        assertTrue(end.error().contains("permission denied") || end.error().contains("Read-only"), end.error());
        assertTrue(end.error().contains("/sys"), end.error());

        // An unreadable folder as a location. As root the daemon runs without CAP_DAC_OVERRIDE (see
        // FilesDaemon.startBoundByPermissions), so the folder is unreadable to it as to anyone else.
        Path locked = Files.createDirectories(tmp.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            fails(ErrorCode.INVALID_INPUT, new AddLocation(lib, locked.toString()), "permission denied");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
