package dev.ordersaga.gateway;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of the quorum gateway (env vars GATEWAY_...). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** {@code GATEWAY_NODES}: the replica set, comma-separated {@code redis://host:port} URLs. */
    List<String> nodes();

    /** {@code GATEWAY_ID}: this coordinator's id in vector clocks; stable across restarts, unique per instance. */
    String id();

    /** {@code GATEWAY_W}: acknowledgements a write needs. */
    @WithDefault("2")
    int w();

    /** {@code GATEWAY_R}: answers a read needs. */
    @WithDefault("2")
    int r();

    /** Longest wait for one node; a slower node counts as failed for that request. */
    @WithDefault("500ms")
    Duration nodeTimeout();

    /** How long a node's circuit breaker stays open before it tries again. */
    @WithDefault("2s")
    Duration breakerDelay();

    /** How often hints are replayed to the nodes they are for. */
    @WithDefault("1s")
    String hintsReplayEvery();

    /** How often the replicas' Merkle trees are compared and differences repaired. */
    @WithDefault("30s")
    String antiEntropyEvery();

    /** Leaves of each Merkle tree (a power of two). */
    @WithDefault("1024")
    int merkleLeaves();

    /** Largest value accepted, in bytes. */
    @WithDefault("1048576")
    int maxValueBytes();

    /** Longest key accepted, in characters. */
    @WithDefault("512")
    int maxKeyLength();

    /** Read repairs in flight at most; more are skipped (anti-entropy catches them). */
    @WithDefault("256")
    int maxReadRepairs();
}
