package dev.cove.rpc.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cove.rpc.Encoding;
import dev.cove.rpc.Event;
import dev.cove.rpc.codec.Json;
import dev.cove.rpc.codec.Payloads;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * An event on its way to subscribers, encoded at most once per encoding however many receive it.
 * What follows the per-subscriber fields of an event frame is the same for every subscriber, so it
 * is kept as bytes: a subscriber's pump only writes its own prefix and the sequence number.
 */
final class PublishedEvent {
    final String type;
    final Event event;
    private final Payloads payloads;
    private volatile byte[] jsonTail;
    private volatile byte[] kryoTail;

    PublishedEvent(String type, Event event, Payloads payloads) {
        this.type = type;
        this.event = event;
        this.payloads = payloads;
    }

    /** {@code ,"event":"TYPE","encoding":"ENC","payload":PAYLOAD}\n} */
    byte[] frameTail(Encoding encoding) {
        byte[] t = encoding == Encoding.KRYO ? kryoTail : jsonTail;
        if (t == null) {
            t = (",\"event\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(type)) + "\",\"encoding\":\""
                    + encoding.wire() + "\",\"payload\":" + payload(encoding) + "}\n").getBytes(StandardCharsets.UTF_8);
            if (encoding == Encoding.KRYO) {
                kryoTail = t;
            } else {
                jsonTail = t;
            }
        }
        return t;
    }

    /** The payload as JSON text ready to splice into a frame: an object, or a quoted base64 string. */
    private String payload(Encoding encoding) {
        if (encoding == Encoding.KRYO) {
            return '"' + Base64.getEncoder().encodeToString(payloads.kryo().encode(event)) + '"';
        }
        try {
            return Json.MAPPER.writeValueAsString(event);
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode event " + type + ": " + e, e);
        }
    }
}
