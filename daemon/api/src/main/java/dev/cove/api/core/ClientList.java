package dev.cove.api.core;

import dev.cove.rpc.PeerInfo;

import java.util.List;

public record ClientList(List<PeerInfo> clients) {
}
