package example.kv;

import dev.cove.rpc.Action;
import dev.cove.rpc.CallContext;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Query;
import dev.cove.rpc.RpcException;
import dev.cove.rpc.server.EventHub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/** The daemon's operations, and the one file they keep their values in. */
public final class Ops {
    private Ops() {
    }

    /** All values in one JSON file, rewritten whole: temp file, fsync, rename, fsync of the folder. */
    public static final class Store {
        private final Path file;
        private final TreeMap<String, String> values = new TreeMap<>();

        @SuppressWarnings("unchecked")
        public Store(Path folder) throws IOException {
            this.file = folder.resolve("values.json");
            if (Files.exists(file)) {
                values.putAll(dev.cove.rpc.codec.Json.MAPPER.readValue(file.toFile(), Map.class));
            }
        }

        synchronized void put(String key, String value) throws IOException {
            values.put(key, value);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(dev.cove.rpc.codec.Json.MAPPER.writeValueAsBytes(values)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true); // the rename itself survives a power cut
            }
        }

        synchronized String get(String key) {
            return values.get(key);
        }

        synchronized Map<String, String> all() {
            return new TreeMap<>(values);
        }
    }

    @Action("kv.set")
    public record SetOp(Store store, EventHub hub) implements Handler<Api.Set, Api.Changed> {
        @Override
        public Api.Changed handle(Api.Set in, CallContext call) throws IOException {
            store.put(in.key(), in.value());
            Api.Changed changed = new Api.Changed(in.key(), in.value());
            hub.publish(changed);
            return changed;
        }
    }

    @Query("kv.get")
    public record GetOp(Store store) implements Handler<Api.Get, Api.Entry> {
        @Override
        public Api.Entry handle(Api.Get in, CallContext call) {
            String value = store.get(in.key());
            if (value == null) {
                throw new RpcException(ErrorCode.NOT_FOUND, "no value for key '" + in.key() + "'");
            }
            return new Api.Entry(in.key(), value);
        }
    }

    @Query("kv.list")
    public record ListOp(Store store) implements Handler<Api.ListAll, Api.Entries> {
        @Override
        public Api.Entries handle(Api.ListAll in, CallContext call) {
            return new Api.Entries(store.all());
        }
    }
}
