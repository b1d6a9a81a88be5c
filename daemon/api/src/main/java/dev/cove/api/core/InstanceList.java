package dev.cove.api.core;

import dev.cove.rpc.instance.InstanceStatus;

import java.util.List;

public record InstanceList(String dataDir, List<InstanceStatus> instances) {
}
