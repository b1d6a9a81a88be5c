package dev.cove.desktop;

import dev.cove.rpc.instance.InstancePaths;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the desktop app was asked to run.
 *
 * @param instance   the daemon instance to show
 * @param autoStart  start a daemon at launch when none answers (never later: a daemon the user stopped stays stopped
 *                   until they press "Start daemon")
 * @param configDir  where the app remembers its settings (theme)
 * @param screenshot if set, snapshot the window to this PNG once the data has loaded, then exit
 * @param theme      "dark" or "light" to override the remembered theme for this run, or null
 * @param tray       offer a system tray icon where the desktop has one
 * @param tab        the tab shown first: library, sessions or log
 * @param library    the library selected first (by name), or null for the first one
 */
public record DesktopOptions(InstancePaths instance, boolean autoStart, Path configDir, Path screenshot, String theme,
                             boolean tray, String tab, String library) {

    public static final String USAGE = """
            Usage: cove [--instance NAME] [--data-dir DIR] desktop [OPTIONS]
              --no-auto-start      do not start a daemon when none runs
              --theme dark|light   use this theme (the View menu changes and remembers it)
              --tab NAME           open on the library, sessions or log tab
              --library NAME       select this library first
              --no-tray            no system tray icon
              --config-dir DIR     where settings are kept (default $XDG_CONFIG_HOME/cove)
              --screenshot FILE    save a PNG of the window once loaded, then exit
            """;

    public DesktopOptions {
        if (theme != null && !theme.equals("dark") && !theme.equals("light")) {
            throw new IllegalArgumentException("--theme must be dark or light, not '" + theme + "'");
        }
        if (tab != null && !List.of("library", "sessions", "log").contains(tab)) {
            throw new IllegalArgumentException("--tab must be library, sessions or log, not '" + tab + "'");
        }
    }

    /** Options for a program (tests) that drives the app against an instance: no auto-start, no tray. */
    public static DesktopOptions forInstance(InstancePaths instance, Path configDir) {
        return new DesktopOptions(instance, false, configDir, null, null, false, null, null);
    }

    /** Parses the command line; throws IllegalArgumentException with a message for the user. */
    public static DesktopOptions parse(List<String> args, Map<String, String> env) {
        Path dataDir = null;
        String instance = null;
        boolean autoStart = true;
        Path configDir = null;
        Path screenshot = null;
        String theme = null;
        boolean tray = true;
        String tab = null;
        String library = null;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String a = rest.removeFirst();
            switch (a) {
                case "--instance" -> instance = value(a, rest);
                case "--data-dir" -> dataDir = Path.of(value(a, rest));
                case "--no-auto-start" -> autoStart = false;
                case "--config-dir" -> configDir = Path.of(value(a, rest));
                case "--screenshot" -> screenshot = Path.of(value(a, rest)).toAbsolutePath();
                case "--theme" -> theme = value(a, rest);
                case "--no-tray" -> tray = false;
                case "--tab" -> tab = value(a, rest);
                case "--library" -> library = value(a, rest);
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        if (instance != null) {
            InstancePaths.checkName(instance);
        }
        InstancePaths paths = new InstancePaths(dataDir != null ? dataDir : InstancePaths.defaultDataDir(env), instance);
        if (configDir == null) {
            String xdg = env.get("XDG_CONFIG_HOME");
            configDir = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config"))
                    .resolve("cove");
        }
        return new DesktopOptions(paths, autoStart, configDir, screenshot, theme, tray && screenshot == null, tab, library);
    }

    private static String value(String option, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return rest.removeFirst();
    }
}
