package dev.cove.cli;

import dev.cove.rpc.Nullable;
import dev.cove.rpc.instance.InstanceLock;
import dev.cove.rpc.instance.InstancePaths;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * The supervisor of an instance ({@code cove start --supervise}), read from its files: the PID in its lock
 * file, if that process is alive and is a supervisor, and the restart count it keeps in its state file.
 * Reading files only: probing the lock could make a supervisor that is starting right now give up.
 */
public record Supervision(long pid, int restarts, @Nullable String lastExit) {

    public static Optional<Supervision> of(InstancePaths paths) {
        OptionalLong pid = InstanceLock.readPid(paths.supervisorLockFile());
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        // the kernel's word where it is available: a recycled PID in a left-over file would fool a liveness check
        Optional<Long> holder = LockHolder.of(paths.supervisorLockFile());
        boolean supervisor = holder != null ? holder.isPresent() && holder.get() == pid.getAsLong()
                : ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
        if (!supervisor) {
            return Optional.empty();
        }
        Properties state = new Properties();
        try (Reader r = Files.newBufferedReader(paths.supervisorStateFile(), StandardCharsets.UTF_8)) {
            state.load(r);
        } catch (IOException e) {
            // not written yet: no restarts
        }
        int restarts;
        try {
            restarts = Integer.parseInt(state.getProperty("restarts", "0"));
        } catch (NumberFormatException e) {
            restarts = 0;
        }
        return Optional.of(new Supervision(pid.getAsLong(), restarts, state.getProperty("lastExit")));
    }

    /** "pid 123, 2 restarts (last: was killed by SIGKILL)". */
    public String describe() {
        return "pid " + pid + ", " + restarts + (restarts == 1 ? " restart" : " restarts")
                + (lastExit == null ? "" : " (last: daemon " + lastExit + ")");
    }
}
