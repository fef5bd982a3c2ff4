package dev.ordersaga.gateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Configuration of the quorum gateway (env vars GATEWAY_...). Every value is checked when the
 * service starts (the constraints here, and {@link StartupCheck} for rules between values): a bad
 * value stops the service with a message naming the variable.
 */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** {@code GATEWAY_NODES}: the replica set, comma-separated {@code redis://host:port} URLs. */
    @NotEmpty(message = "GATEWAY_NODES=${validatedValue}: must list the Redis nodes: comma-separated redis://host:port")
    @Size(max = 16, message = "GATEWAY_NODES=${validatedValue}: lists more than 16 nodes")
    List<String> nodes();

    /** {@code GATEWAY_ID}: this coordinator's name in logs, /status and the siblings it writes. */
    @Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = "GATEWAY_ID=${validatedValue}: must be 1 to 64 letters, digits, '.', '_' or '-'")
    String id();

    /** {@code GATEWAY_W}: acknowledgements a write needs. */
    @WithDefault("2")
    @Min(value = 1, message = "GATEWAY_W=${validatedValue}: must be at least 1")
    int w();

    /** {@code GATEWAY_R}: answers a read needs. */
    @WithDefault("2")
    @Min(value = 1, message = "GATEWAY_R=${validatedValue}: must be at least 1")
    int r();

    /**
     * {@code GATEWAY_SPECULATIVE_READ_AFTER}: a read asks R nodes, and one more each time one of them
     * fails or this long passes without its quorum; 0 asks every node at once.
     */
    @WithDefault("10ms")
    Duration speculativeReadAfter();

    /** {@code GATEWAY_NODE_TIMEOUT}: longest wait for one node; a slower node counts as failed and its connection is replaced. */
    @WithDefault("500ms")
    Duration nodeTimeout();

    /** {@code GATEWAY_BREAKER_DELAY}: how long a node's circuit breaker stays open before it tries again. */
    @WithDefault("2s")
    Duration breakerDelay();

    /** {@code GATEWAY_NODE_CONNECTIONS}: pipelined connections to each node. */
    @WithDefault("4")
    @Min(value = 1, message = "GATEWAY_NODE_CONNECTIONS=${validatedValue}: must be at least 1")
    @Max(value = 64, message = "GATEWAY_NODE_CONNECTIONS=${validatedValue}: must be at most 64")
    int nodeConnections();

    /** {@code GATEWAY_HINTS_REPLAY_EVERY}: how often hints are replayed to the nodes they are for. */
    @WithDefault("1s")
    Duration hintsReplayEvery();

    /** {@code GATEWAY_ANTI_ENTROPY_EVERY}: how often the replicas' Merkle trees are compared and differences repaired. */
    @WithDefault("30s")
    Duration antiEntropyEvery();

    /**
     * {@code GATEWAY_REPAIR_PASS_BUDGET}: how long one anti-entropy pass (scheduled or {@code POST /repair})
     * keeps starting the repair of differing buckets; the rest is left to the next pass. A pass always
     * repairs at least one bucket, so passes make progress whatever the budget.
     */
    @WithDefault("5s")
    Duration repairPassBudget();

    /**
     * {@code GATEWAY_TOMBSTONE_GRACE}: how long a delete's tombstone is kept at least, even once every
     * node holds it alone: longer than any write, join or repair of an older state can still be under
     * way (they are refused after half the node timeout, ten times that for large values). A
     * tombstone is removed only after this and only when no node keeps a hint of its key.
     */
    @WithDefault("60s")
    Duration tombstoneGrace();

    /**
     * {@code GATEWAY_UNSAFE_KEEP_ACTOR_ACROSS_RESTARTS}: true only to show what the new actor id of a
     * restarted node prevents (the history test's negative control): a node then keeps its actor id
     * when its Redis process changes, and a node that lost the tail of its data reuses dots. Never in
     * production.
     */
    @WithDefault("false")
    @Pattern(regexp = "true|false", message = "GATEWAY_UNSAFE_KEEP_ACTOR_ACROSS_RESTARTS=${validatedValue}: must be true or false")
    String unsafeKeepActorAcrossRestarts();

    /** {@code GATEWAY_MERKLE_LEAVES}: leaves of each node's Merkle tree, a power of two. */
    @WithDefault("1024")
    @Min(value = 16, message = "GATEWAY_MERKLE_LEAVES=${validatedValue}: must be a power of two from 16 to 65536")
    @Max(value = 65536, message = "GATEWAY_MERKLE_LEAVES=${validatedValue}: must be a power of two from 16 to 65536")
    int merkleLeaves();

    /** {@code GATEWAY_MAX_VALUE_BYTES}: largest value accepted, by single-key and multi-key writes alike. */
    @WithDefault("1048576")
    @Min(value = 1, message = "GATEWAY_MAX_VALUE_BYTES=${validatedValue}: must be at least 1")
    @Max(value = 67108864, message = "GATEWAY_MAX_VALUE_BYTES=${validatedValue}: must be at most 64 MiB")
    int maxValueBytes();

    /** {@code GATEWAY_MAX_BATCH_KEYS}: keys one multi-key call ({@code POST /kv-batch/get} or {@code /put}) may name. */
    @WithDefault("128")
    @Min(value = 128, message = "GATEWAY_MAX_BATCH_KEYS=${validatedValue}: must be at least 128 (the api sends up to 128 keys a call)")
    @Max(value = 4096, message = "GATEWAY_MAX_BATCH_KEYS=${validatedValue}: must be at most 4096")
    int maxBatchKeys();

    /**
     * {@code GATEWAY_MAX_BATCH_BYTES}: the HTTP body limit of every request (a multi-key write carries
     * its values base64-encoded); at least twice {@code GATEWAY_MAX_VALUE_BYTES} plus 64 KiB, so that a
     * value of the largest size fits in a multi-key write on its own.
     */
    @WithDefault("4194304")
    @Min(value = 4194304, message = "GATEWAY_MAX_BATCH_BYTES=${validatedValue}: must be at least 4 MiB (the api sends up to 2 MiB of values a call, base64)")
    @Max(value = 268435456, message = "GATEWAY_MAX_BATCH_BYTES=${validatedValue}: must be at most 256 MiB")
    long maxBatchBytes();

    /** {@code GATEWAY_MAX_KEY_LENGTH}: longest key accepted, in characters. */
    @WithDefault("512")
    @Min(value = 1, message = "GATEWAY_MAX_KEY_LENGTH=${validatedValue}: must be at least 1")
    @Max(value = 8192, message = "GATEWAY_MAX_KEY_LENGTH=${validatedValue}: must be at most 8192")
    int maxKeyLength();

    /** {@code GATEWAY_MAX_SIBLINGS}: siblings one key may hold; a write that would add one more is refused (409). */
    @WithDefault("16")
    @Min(value = 1, message = "GATEWAY_MAX_SIBLINGS=${validatedValue}: must be at least 1")
    @Max(value = 1024, message = "GATEWAY_MAX_SIBLINGS=${validatedValue}: must be at most 1024")
    int maxSiblings();

    /** {@code GATEWAY_MAX_KEY_BYTES}: bytes one key's siblings may hold together; past it a write that resolves nothing is refused (409). */
    @WithDefault("4194304")
    @Min(value = 1, message = "GATEWAY_MAX_KEY_BYTES=${validatedValue}: must be at least 1")
    long maxKeyBytes();

    /**
     * {@code GATEWAY_MAX_READ_REPAIRS}: repairs of nodes that answered a read after its quorum, in
     * flight at most; more are left to anti-entropy (0: none). Stale nodes among the R that answered
     * are always repaired before the read answers.
     */
    @WithDefault("256")
    @Min(value = 0, message = "GATEWAY_MAX_READ_REPAIRS=${validatedValue}: must be at least 0")
    int maxReadRepairs();

    /** {@code GATEWAY_CONTEXT_KEYS}: keys that sign X-Context, comma-separated kid=secret; the first signs, all verify. */
    Optional<String> contextKeys();
}
