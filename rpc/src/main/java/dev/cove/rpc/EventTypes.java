package dev.cove.rpc;

import dev.cove.rpc.codec.Payloads;
import dev.cove.rpc.wire.Protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The event types a daemon publishes or a client understands, by wire name (the record's simple name). */
public final class EventTypes {
    private final Map<String, Class<? extends Event>> byName = new LinkedHashMap<>();
    private final Map<String, Payloads> payloads = new LinkedHashMap<>();

    private EventTypes(Collection<Class<? extends Event>> types) {
        for (Class<? extends Event> t : types) {
            String name = nameOf(t);
            Class<?> previous = byName.putIfAbsent(name, t);
            if (previous != null && previous != t) {
                throw new IllegalArgumentException("two event types are named " + name + ": " + previous.getName()
                        + " and " + t.getName());
            }
            payloads.put(name, new Payloads(Protocol.DEFAULT_MAX_FRAME_BYTES, List.of(t)));
        }
    }

    public static EventTypes of(Collection<Class<? extends Event>> types) {
        return new EventTypes(types);
    }

    /** Every record permitted (directly or through nested sealed interfaces) by a sealed root. */
    @SuppressWarnings("unchecked")
    public static EventTypes fromSealed(Class<? extends Event> root) {
        List<Class<? extends Event>> found = new ArrayList<>();
        collect(root, found);
        return new EventTypes(found);
    }

    @SuppressWarnings("unchecked")
    private static void collect(Class<?> c, List<Class<? extends Event>> out) {
        if (c.isRecord()) {
            out.add((Class<? extends Event>) c);
        } else if (c.isSealed()) {
            for (Class<?> p : c.getPermittedSubclasses()) {
                collect(p, out);
            }
        }
    }

    public static EventTypes none() {
        return new EventTypes(List.of());
    }

    public static String nameOf(Class<?> type) {
        return type.getSimpleName();
    }

    public Class<? extends Event> type(String name) {
        return byName.get(name);
    }

    public Payloads payloads(String name) {
        return payloads.get(name);
    }

    public Collection<String> names() {
        return byName.keySet();
    }

    public Collection<Class<? extends Event>> classes() {
        return byName.values();
    }
}
