package dev.ordersaga.api.replica;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The order read model in the quorum gateway (prefix {@code replica}). */
@ConfigMapping(prefix = "replica")
public interface ReplicaConfig {

    /** {@code REPLICA_LAG_MS}: how long after a commit a change may first reach the replica. */
    @WithDefault("0")
    long lagMs();

    /** {@code REPLICA_LAG_JITTER_MS}: a random extra lag in [0, this), so changes also arrive out of order. */
    @WithDefault("0")
    long lagJitterMs();

    /** Orders kept in a customer's replica list (the newest); longer lists are read from the primary. */
    @WithDefault("100")
    int listMax();

    /**
     * {@code REPLICA_BATCH_MAX}: changes one projection call carries, coalesced (1: each change on its
     * own, two read-modify-writes per change; also bounded by {@code OUTBOX_BATCH_MAX}).
     */
    @WithDefault("100")
    int batchMax();

    /** {@code REPLICA_READ_TIMEOUT_MS}: how long a session read waits for the replica before it reads the primary. */
    @WithDefault("300")
    long readTimeoutMs();

    /** {@code REPLICA_RECONCILE_EVERY}: how often the reconciler compares a batch of records with the primary. */
    @WithDefault("30s")
    Duration reconcileEvery();

    /** {@code REPLICA_RECONCILE_BATCH}: customers (and orders) compared per round. */
    @WithDefault("100")
    @jakarta.validation.constraints.Min(value = 1, message = "REPLICA_RECONCILE_BATCH=${validatedValue}: must be at least 1")
    int reconcileBatch();

    /** Guards of the projection's calls to the gateway (REPLICA_CLIENT_...). */
    Client client();

    /** Timeout, retries and circuit breaker delay of the api→gateway projection client. */
    interface Client {

        /** {@code REPLICA_CLIENT_TIMEOUT_MS}: longest wait for one projection call. */
        @WithDefault("5000")
        @jakarta.validation.constraints.Min(value = 1, message = "REPLICA_CLIENT_TIMEOUT_MS=${validatedValue}: must be at least 1")
        long timeoutMs();

        /** {@code REPLICA_CLIENT_RETRIES}: immediate retries of a transient failure. */
        @WithDefault("2")
        @jakarta.validation.constraints.Min(value = 0, message = "REPLICA_CLIENT_RETRIES=${validatedValue}: must be at least 0")
        int retries();

        /** {@code REPLICA_CLIENT_BREAKER_DELAY_MS}: how long the breaker stays open. */
        @WithDefault("2000")
        @jakarta.validation.constraints.Min(value = 1, message = "REPLICA_CLIENT_BREAKER_DELAY_MS=${validatedValue}: must be at least 1")
        long breakerDelayMs();
    }
}
