package dev.ordersaga.worker.jobs;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The api the worker reports to, and the guards of that client (API_...). */
@ConfigMapping(prefix = "api")
public interface ApiClientConfig {

    /** {@code API_URL}: the api's base URL. */
    @WithDefault("http://localhost:8080")
    String url();

    /** Guards of the worker→api client. */
    Client client();

    /** Timeout, retries and circuit breaker delay. */
    interface Client {

        /** {@code API_CLIENT_TIMEOUT_MS}: longest wait for one call (also the client's read timeout). */
        @WithDefault("2000")
        @Min(value = 1, message = "API_CLIENT_TIMEOUT_MS=${validatedValue}: must be at least 1")
        long timeoutMs();

        /** {@code API_CLIENT_RETRIES}: immediate retries of a transient failure. */
        @WithDefault("2")
        @Min(value = 0, message = "API_CLIENT_RETRIES=${validatedValue}: must be between 0 and 10")
        @Max(value = 10, message = "API_CLIENT_RETRIES=${validatedValue}: must be between 0 and 10")
        int retries();

        /** {@code API_CLIENT_BREAKER_DELAY_MS}: how long the breaker stays open. */
        @WithDefault("5000")
        @Min(value = 1, message = "API_CLIENT_BREAKER_DELAY_MS=${validatedValue}: must be at least 1")
        long breakerDelayMs();
    }
}
