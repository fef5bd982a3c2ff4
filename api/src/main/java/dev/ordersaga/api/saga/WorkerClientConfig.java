package dev.ordersaga.api.saga;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The worker the api sends its commands to, and the guards of that client (WORKER_...). */
@ConfigMapping(prefix = "worker")
public interface WorkerClientConfig {

    /** {@code WORKER_URL}: the worker's base URL. */
    @WithDefault("http://localhost:8081")
    String url();

    /** Guards of the api→worker client. */
    Client client();

    /** Timeout, retries and circuit breaker delay. */
    interface Client {

        /** {@code WORKER_CLIENT_TIMEOUT_MS}: longest wait for one call (also the client's read timeout). */
        @WithDefault("2000")
        @Min(value = 1, message = "WORKER_CLIENT_TIMEOUT_MS=${validatedValue}: must be at least 1")
        long timeoutMs();

        /** {@code WORKER_CLIENT_RETRIES}: immediate retries of a transient failure. */
        @WithDefault("2")
        @Min(value = 0, message = "WORKER_CLIENT_RETRIES=${validatedValue}: must be between 0 and 10")
        @Max(value = 10, message = "WORKER_CLIENT_RETRIES=${validatedValue}: must be between 0 and 10")
        int retries();

        /** {@code WORKER_CLIENT_BREAKER_DELAY_MS}: how long the breaker stays open. */
        @WithDefault("5000")
        @Min(value = 1, message = "WORKER_CLIENT_BREAKER_DELAY_MS=${validatedValue}: must be at least 1")
        long breakerDelayMs();
    }
}
