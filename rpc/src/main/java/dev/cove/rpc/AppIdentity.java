package dev.cove.rpc;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Who a daemon built on this framework is: the names the framework would otherwise have to invent for
 * it. Everything below follows from three words; an application that wants other names builds its own
 * record. For {@code new AppIdentity("kv", "KV", "kv")}:
 * <pre>
 * data folder       $KV_DATA_DIR, else $XDG_DATA_HOME/kv, else $HOME/.local/share/kv
 * short links       /tmp/kv-$USER, else $XDG_RUNTIME_DIR/kv (for socket paths over the kernel's limit)
 * auto-start        KV_DAEMON_CLASSPATH (with KV_JAVA, KV_JAVA_OPTS, KV_DAEMON_MAIN) runs the daemon class;
 *                   else KV_LAUNCHER, or `kv` on the PATH, runs `kv daemon`
 * messages          "no kv daemon is running ... Start one with `kv start`"
 * threads           kv-client-reader
 * </pre>
 *
 * <p>A program usually passes its identity where it builds {@code InstancePaths}. A jar may also declare
 * one for the whole process as a {@link Provider} service ({@code META-INF/services/dev.cove.rpc.AppIdentity$Provider});
 * {@link #ambient()} finds it, and the framework's shorter overloads use it.
 *
 * @param name        lower-case word for folders, the command and thread names, e.g. {@code kv}
 * @param envPrefix   prefix of the environment variables, e.g. {@code KV}
 * @param displayName how messages name the program, e.g. {@code kv} or {@code Cove}
 * @param daemonMain  the daemon's main class, run when {@code {PREFIX}_DAEMON_CLASSPATH} is set (may be null)
 */
public record AppIdentity(String name, String envPrefix, String displayName, String daemonMain) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final Pattern PREFIX = Pattern.compile("[A-Z][A-Z0-9_]{0,31}");

    public AppIdentity {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("application name '" + name + "' must be 1-32 characters of a-z, "
                    + "0-9, '-' and '_', starting with a letter");
        }
        if (envPrefix == null || !PREFIX.matcher(envPrefix).matches()) {
            throw new IllegalArgumentException("environment prefix '" + envPrefix + "' must be 1-32 characters of "
                    + "A-Z, 0-9 and '_', starting with a letter");
        }
        displayName = displayName == null || displayName.isBlank() ? name : displayName;
    }

    /** An identity whose command, folders and messages all use {@code name}. */
    public AppIdentity(String name, String envPrefix, String daemonMain) {
        this(name, envPrefix, name, daemonMain);
    }

    /** The environment variable {@code {PREFIX}_{suffix}}, e.g. {@code env("DATA_DIR")} is {@code KV_DATA_DIR}. */
    public String env(String suffix) {
        return envPrefix + "_" + suffix;
    }

    /** The command a person types; auto-start runs {@code {command} daemon}. */
    public String command() {
        return name;
    }

    /**
     * The data folder when none is given: {@code ${PREFIX}_DATA_DIR}, else {@code $XDG_DATA_HOME/{name}}, else
     * {@code $HOME/.local/share/{name}}.
     */
    public Path defaultDataDir(Map<String, String> env) {
        String own = env.get(env("DATA_DIR"));
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, name);
        }
        // $HOME, as the XDG spec and every shell mean it; Java's user.home comes from the password file instead
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".local", "share", name);
    }

    /** Where short links to over-long socket paths go: {@code /tmp/{name}-{user}}. */
    public Path linkDir() {
        return Path.of("/tmp", name + "-" + System.getProperty("user.name"));
    }

    /** The fallback for {@link #linkDir()}: {@code $XDG_RUNTIME_DIR/{name}}, or null when that is not set. */
    public Path runtimeLinkDir(Map<String, String> env) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        return runtime == null || runtime.isBlank() ? null : Path.of(runtime, name);
    }

    /** Declares a process's identity as a {@link ServiceLoader} service, for {@link #ambient()}. */
    public interface Provider {
        AppIdentity identity();
    }

    private static final class Ambient {
        static AppIdentity value;
        static String problem;

        static {
            Iterator<Provider> it = ServiceLoader.load(Provider.class, AppIdentity.class.getClassLoader()).iterator();
            if (!it.hasNext()) {
                problem = "no application identity";
            } else {
                value = it.next().identity();
                while (it.hasNext()) {
                    AppIdentity other = it.next().identity();
                    if (!other.equals(value)) {
                        problem = "two application identities on the class path, " + value.name() + " and "
                                + other.name();
                        value = null;
                        break;
                    }
                }
            }
        }
    }

    /**
     * The identity the class path declares (see {@link Provider}). Throws when it declares none: the
     * framework will not guess where an application keeps its files.
     */
    public static AppIdentity ambient() {
        AppIdentity a = Ambient.value;
        if (a == null) {
            throw new IllegalStateException(Ambient.problem + ": pass an AppIdentity to InstancePaths (e.g. "
                    + "new InstancePaths(dataDir, instance, app)), or declare one as a service in "
                    + "META-INF/services/" + Provider.class.getName());
        }
        return a;
    }
}
