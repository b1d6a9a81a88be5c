package dev.cove.cli.commands;

import dev.cove.api.core.Ping;
import dev.cove.api.core.Pong;
import dev.cove.cli.CoveCli;
import dev.cove.cli.ExitCodes;
import dev.cove.cli.Views;
import dev.cove.rpc.client.CoreClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ping", description = {
        "Check that the daemon answers, and print the round-trip time of each ping.",
        "The first ping of a fresh CLI process includes its warm-up; use --count to see later ones."})
public final class PingCommand implements Callable<Integer> {
    @ParentCommand
    CoveCli cove;

    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "1", description = "Pings to send (default: 1).")
    int count;

    @Override
    public Integer call() {
        List<Double> millis = new ArrayList<>();
        Pong pong = null;
        try (CoreClient client = cove.client()) {
            client.connect();
            for (int i = 0; i < Math.max(1, count); i++) {
                long t0 = System.nanoTime();
                pong = client.call(new Ping());
                long rtt = System.nanoTime() - t0;
                millis.add(rtt / 1e6);
                if (!cove.json()) {
                    Views.pong(cove.out(), pong, rtt);
                }
            }
        }
        if (cove.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", pong.instance());
            m.put("pid", pong.pid());
            m.put("version", pong.version());
            m.put("roundTripMillis", millis);
            cove.printJson(m);
        }
        return ExitCodes.OK;
    }
}
