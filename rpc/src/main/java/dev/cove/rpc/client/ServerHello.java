package dev.cove.rpc.client;

import java.util.List;

/** What the daemon said in its hello. */
public record ServerHello(int protocol, String server, String version, String instance, long pid,
                          List<String> encodings, String registry, int maxFrame) {
}
