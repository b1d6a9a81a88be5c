package example.kv;

import dev.cove.rpc.AppIdentity;
import dev.cove.rpc.EventFilter;
import dev.cove.rpc.EventTypes;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.client.CoreClient;
import dev.cove.rpc.client.DaemonLauncher;
import dev.cove.rpc.client.EventStream;
import dev.cove.rpc.client.StreamItem;
import dev.cove.rpc.host.DaemonHost;
import dev.cove.rpc.host.Shutdown;
import dev.cove.rpc.instance.InstancePaths;

import java.util.ArrayList;
import java.util.List;

/** The {@code kv} command: a client for each command, and the daemon itself as {@code kv daemon}. */
public final class Kv {
    /** $KV_DATA_DIR, else $XDG_DATA_HOME/kv, else ~/.local/share/kv; /tmp/kv-$USER for short socket links. */
    static final AppIdentity APP = new AppIdentity("kv", "KV", Kv.class.getName());
    static final EventTypes EVENTS = EventTypes.of(List.of(Api.Changed.class));
    static final String USAGE = "usage: kv [--instance NAME] set KEY VALUE | get KEY | list | watch | start | shutdown";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("daemon")) {
            System.exit(DaemonHost.fromArgs(APP, args).version("1.0").operations(Ops.class).events(EVENTS)
                    .open(Ops.Store.class, host -> new Ops.Store(host.paths().instanceDataDir())).run());
        }
        List<String> a = new ArrayList<>(List.of(args));
        String instance = null;
        if (a.size() >= 2 && a.get(0).equals("--instance")) {
            instance = a.get(1);
            a = a.subList(2, a.size());
        }
        String cmd = a.isEmpty() ? "" : a.get(0);
        int want = switch (cmd) {
            case "set" -> 3;
            case "get" -> 2;
            case "start", "list", "watch", "shutdown" -> 1;
            default -> -1;
        };
        if (want != a.size()) {
            System.err.println(USAGE);
            System.exit(2);
        }
        CoreClient.Builder b = CoreClient.builder().instance(InstancePaths.resolve(APP, null, instance))
                .clientName("kv", "1.0").events(EVENTS);
        if (!cmd.equals("shutdown")) {
            b.autoStart(DaemonLauncher.thisClassPath(Kv.class)); // the first command starts the daemon
        }
        try (CoreClient client = b.build()) {
            switch (cmd) {
                case "set" -> client.call(new Api.Set(a.get(1), a.get(2)));
                case "get" -> System.out.println(client.call(new Api.Get(a.get(1))).value());
                case "list" -> client.call(new Api.ListAll()).entries().forEach((k, v) -> System.out.println(k + "=" + v));
                case "shutdown" -> client.call(new Shutdown("kv shutdown"));
                case "start" -> client.connect();
                default -> watch(client);
            }
        } catch (RpcException e) {
            System.err.println("kv: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Prints each change as KEY=VALUE until the daemon stops (or Ctrl-C). */
    private static void watch(CoreClient client) throws InterruptedException {
        try (EventStream events = client.subscribe(EventFilter.NONE, Api.Changed.class)) {
            System.out.println("watching");
            for (StreamItem item = events.next(); !(item instanceof StreamItem.Ended); item = events.next()) {
                if (item instanceof StreamItem.Delivered d && d.event() instanceof Api.Changed c) {
                    System.out.println(c.key() + "=" + c.value());
                } else if (item instanceof StreamItem.Lagged l) {
                    System.out.println("(missed " + l.missed() + " changes)");
                }
            }
        }
    }
}
