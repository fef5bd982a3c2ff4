package dev.ordersaga.outbox.database;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How long the service waits for its PostgreSQL database before it gives up (DATABASE_...). Every
 * bound is below the HTTP idle timeout, so that a request during a database partition gets a 503
 * answer rather than a connection closed without one; checked at start-up by
 * {@link DatabaseStartupCheck}.
 */
@ConfigMapping(prefix = "database")
public interface DatabaseConfig {

    /** How long opening a TCP connection to PostgreSQL may take. */
    @WithDefault("2s")
    Duration connectTimeout();

    /**
     * How long a connection may go without a byte from PostgreSQL while it waits for one (start-up,
     * authentication, or a statement's answer): then it is closed, its statements fail, and the pool
     * opens a new one. So a connection that a partition left hanging is given up after this, and no
     * statement may run longer.
     */
    @WithDefault("5s")
    Duration queryTimeout();

    /** How long a request waits for a free connection of the pool. */
    @WithDefault("2s")
    Duration poolWait();

    /** How long the readiness check waits for {@code SELECT 1}. */
    @WithDefault("800ms")
    Duration readyTimeout();
}
