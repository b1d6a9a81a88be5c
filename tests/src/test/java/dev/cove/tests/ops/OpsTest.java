package dev.cove.tests.ops;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** What every ops test starts from: a fresh data folder, a CLI on it, and every process it started killed after. */
abstract class OpsTest {
    @TempDir
    Path tmp;

    OpsCli cli;

    @BeforeEach
    void setUpCli() {
        cli = new OpsCli(tmp.resolve("data"));
    }

    @AfterEach
    void killStarted() {
        cli.killAll();
    }
}
