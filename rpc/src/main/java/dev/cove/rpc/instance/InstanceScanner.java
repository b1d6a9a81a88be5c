package dev.cove.rpc.instance;

import dev.cove.rpc.AppIdentity;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the instances under a data folder from their files alone (lock files, sockets, instance
 * folders), so it works whether or not any daemon runs. It never takes a lock: probing a lock would
 * make a daemon starting at that moment believe the instance is taken.
 */
public final class InstanceScanner {
    private static final Pattern FILE = Pattern.compile("daemon(?:-([a-z0-9][a-z0-9_-]*))?\\.(?:lock|sock)");

    private InstanceScanner() {
    }

    /** {@link #scan(AppIdentity, Path)} for the application the class path declares. */
    public static List<InstanceStatus> scan(Path dataDir) {
        return scan(AppIdentity.ambient(), dataDir);
    }

    public static List<InstanceStatus> scan(AppIdentity app, Path dataDir) {
        TreeSet<String> names = new TreeSet<>();
        names.add(InstancePaths.DEFAULT);
        collect(dataDir.resolve("daemon"), names);
        Path instances = dataDir.resolve("instances");
        if (Files.isDirectory(instances)) {
            try (Stream<Path> s = Files.list(instances)) {
                s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).forEach(names::add);
            } catch (IOException ignored) {
                // unreadable: list what the daemon folder shows
            }
        }
        List<InstanceStatus> out = new ArrayList<>();
        for (String name : names) {
            try {
                out.add(status(new InstancePaths(dataDir, name, app)));
            } catch (IllegalArgumentException ignored) {
                // a stray file whose name is no instance name
            }
        }
        return out;
    }

    private static void collect(Path daemonDir, TreeSet<String> names) {
        if (!Files.isDirectory(daemonDir)) {
            return;
        }
        try (Stream<Path> s = Files.list(daemonDir)) {
            s.forEach(p -> {
                Matcher m = FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    names.add(m.group(1) == null ? InstancePaths.DEFAULT : m.group(1));
                }
            });
        } catch (IOException ignored) {
            // unreadable daemon folder: nothing to add
        }
    }

    public static InstanceStatus status(InstancePaths paths) {
        OptionalLong pid = InstanceLock.readPid(paths.lockFile());
        Long alive = pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false)
                ? pid.getAsLong() : null;
        InstanceStatus.State state;
        if (!Files.exists(paths.socket())) {
            state = InstanceStatus.State.STOPPED;
        } else if (answers(paths)) {
            state = InstanceStatus.State.RUNNING;
        } else {
            state = InstanceStatus.State.STALE;
        }
        return new InstanceStatus(paths.instance(), state, alive, paths.socket().toString());
    }

    private static boolean answers(InstancePaths paths) {
        // a socket served by another user is not this instance's daemon
        try (SocketChannel ch = DaemonSocket.connect(paths.socket(), paths.connectPath())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
