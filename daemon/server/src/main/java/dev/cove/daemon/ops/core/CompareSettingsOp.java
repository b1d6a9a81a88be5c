package dev.cove.daemon.ops.core;

import dev.cove.api.core.CompareSettings;
import dev.cove.api.core.SettingsComparison;
import dev.cove.daemon.DaemonOptions;
import dev.cove.daemon.DaemonRuntime;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;
import dev.cove.rpc.RpcException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code cove start OPTIONS} when a daemon runs: which of the options differ from this daemon's settings. The
 * options go through the daemon's own parser, so a value is compared as the daemon would take it.
 */
@Query("core.settings.compare")
public final class CompareSettingsOp implements Handler<CompareSettings, SettingsComparison> {
    private final DaemonRuntime runtime;

    public CompareSettingsOp(DaemonRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public SettingsComparison handle(CompareSettings input, CallContext context) {
        List<String> options = input.options() == null ? List.of() : input.options();
        DaemonOptions given;
        try {
            given = DaemonOptions.parse(options);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int usage = message.indexOf("\nusage:");
            throw new RpcException(ErrorCode.INVALID_INPUT, usage < 0 ? message : message.substring(0, usage));
        }
        Map<String, String> running = runtime.options().settings();
        Map<String, String> asked = given.settings();
        List<SettingsComparison.Difference> differing = new ArrayList<>();
        for (String option : named(options)) {
            if (running.containsKey(option) && !Objects.equals(running.get(option), asked.get(option))
                    && differing.stream().noneMatch(d -> d.option().equals(option))) {
                differing.add(new SettingsComparison.Difference(option, running.get(option), asked.get(option)));
            }
        }
        return new SettingsComparison(differing);
    }

    /** The option names given, without dashes, in order ({@code --idle-timeout=10m} and {@code --idle-timeout 10m}). */
    private static List<String> named(List<String> options) {
        List<String> names = new ArrayList<>();
        for (String o : options) {
            if (o.startsWith("--")) {
                int eq = o.indexOf('=');
                names.add(eq < 0 ? o.substring(2) : o.substring(2, eq));
            }
        }
        return names;
    }
}
