package dev.cove.rpc.server;

import dev.cove.rpc.Encoding;
import dev.cove.rpc.Event;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.codec.Payloads;

import java.util.Base64;

/** An event on its way to subscribers, encoded at most once per encoding however many receive it. */
final class PublishedEvent {
    final String type;
    final Event event;
    private final Payloads payloads;
    private volatile String json;
    private volatile String kryo;

    PublishedEvent(String type, Event event, Payloads payloads) {
        this.type = type;
        this.event = event;
        this.payloads = payloads;
    }

    /** The payload as JSON text ready to splice into a frame: an object, or a quoted base64 string. */
    String payload(Encoding encoding) {
        if (encoding == Encoding.KRYO) {
            String k = kryo;
            if (k == null) {
                kryo = k = '"' + Base64.getEncoder().encodeToString(payloads.kryo().encode(event)) + '"';
            }
            return k;
        }
        String j = json;
        if (j == null) {
            try {
                json = j = Json.MAPPER.writeValueAsString(event);
            } catch (Exception e) {
                throw new IllegalStateException("cannot encode event " + type + ": " + e, e);
            }
        }
        return j;
    }
}
