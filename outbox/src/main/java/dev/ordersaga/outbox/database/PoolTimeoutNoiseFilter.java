package dev.ordersaga.outbox.database;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Drops one known false alarm of the Vert.x SQL client (eclipse-vertx/vertx-sql-client#1706): when
 * a pool query's wait for a connection times out (DATABASE_POOL_WAIT) and the connection attempt then
 * fails too, the pool completes the caller's result a second time and Vert.x logs an "uncaught"
 * {@code IllegalStateException: Result is already complete}. The caller already had its failure;
 * nothing is lost or left open. Every other uncaught exception is logged as before.
 */
@LoggingFilter(name = "sql-pool-timeout-noise")
public final class PoolTimeoutNoiseFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        Throwable thrown = record.getThrown();
        if (!(thrown instanceof IllegalStateException) || !"Result is already complete".equals(thrown.getMessage())) {
            return true;
        }
        for (StackTraceElement frame : thrown.getStackTrace()) {
            if (frame.getClassName().equals("io.vertx.sqlclient.impl.pool.SqlConnectionPool")) {
                return false;
            }
        }
        return true;
    }
}
