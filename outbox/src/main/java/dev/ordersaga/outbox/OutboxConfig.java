package dev.ordersaga.outbox;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How the outbox publisher claims, retries and gives up. Every value can be set by env var
 * (OUTBOX_...) and is checked when the service starts ({@link OutboxStartupCheck} for the rules
 * between values).
 */
@ConfigMapping(prefix = "outbox")
public interface OutboxConfig {

    /** How often the publisher looks for due rows (it also tries right after each commit). */
    @WithDefault("1s")
    String pollEvery();

    /** Rows claimed in one batch. */
    @WithDefault("100")
    @Min(value = 1, message = "OUTBOX_BATCH_SIZE=${validatedValue}: must be between 1 and 10000")
    @Max(value = 10000, message = "OUTBOX_BATCH_SIZE=${validatedValue}: must be between 1 and 10000")
    int batchSize();

    /** Messages one request to a destination carries at most (natural batching: it never waits to fill up). */
    @WithDefault("100")
    @Min(value = 1, message = "OUTBOX_BATCH_MAX=${validatedValue}: must be between 1 and 1000")
    @Max(value = 1000, message = "OUTBOX_BATCH_MAX=${validatedValue}: must be between 1 and 1000")
    int batchMax();

    /**
     * Bytes of payload one request carries at most (a message larger than this still goes, alone);
     * below the receivers' body limit (64 KiB).
     */
    @WithDefault("48000")
    @Min(value = 1024, message = "OUTBOX_BATCH_BYTES=${validatedValue}: must be between 1024 and 60000")
    @Max(value = 60000, message = "OUTBOX_BATCH_BYTES=${validatedValue}: must be between 1024 and 60000")
    int batchBytes();

    /**
     * Requests in flight to one destination at most; messages that come meanwhile wait for a free
     * slot and leave together in the next batch.
     */
    @WithDefault("4")
    @Min(value = 1, message = "OUTBOX_MAX_IN_FLIGHT=${validatedValue}: must be between 1 and 4096")
    @Max(value = 4096, message = "OUTBOX_MAX_IN_FLIGHT=${validatedValue}: must be between 1 and 4096")
    int maxInFlight();

    /** How long a claim lasts: a row whose publisher died is claimed again after this. */
    @WithDefault("30s")
    Duration lease();

    /** Attempts before a message is dead-lettered. */
    @WithDefault("12")
    @Min(value = 1, message = "OUTBOX_MAX_ATTEMPTS=${validatedValue}: must be at least 1")
    int maxAttempts();

    /** Delay before the second attempt; doubles each time, up to {@link #backoffCap()}. */
    @WithDefault("500ms")
    Duration backoffBase();

    /** Longest delay between two attempts. */
    @WithDefault("5m")
    Duration backoffCap();

    /** How long sent outbox rows and processed inbox rows are kept before they are deleted. */
    @WithDefault("P7D")
    Duration retention();

    /** How often expired rows are deleted. */
    @WithDefault("10s")
    String cleanupEvery();

    /** Rows deleted per statement; a run repeats until fewer were left. */
    @WithDefault("5000")
    @Min(value = 1, message = "OUTBOX_CLEANUP_BATCH=${validatedValue}: must be between 1 and 100000")
    @Max(value = 100000, message = "OUTBOX_CLEANUP_BATCH=${validatedValue}: must be between 1 and 100000")
    int cleanupBatch();

    /** How often the backlog gauges are refreshed. */
    @WithDefault("5s")
    String metricsEvery();
}
