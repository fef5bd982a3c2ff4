package dev.ordersaga.http;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Whether a failure means a dependency on the request path (the service's database, most often) is
 * out of reach right now: the request may well succeed on a retry, so the answer is 503 with
 * {@code Retry-After}, not 500.
 */
public final class Unavailable {

    /** PostgreSQL SQLSTATEs of a server shutting down, starting up, or a lost connection. */
    private static final Set<String> SQL_STATES = Set.of("57P01", "57P02", "57P03", "08000", "08001", "08003", "08004",
            "08006", "53300");

    private Unavailable() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedChannelException || t instanceof TimeoutException) {
                return true;
            }
            String name = t.getClass().getName();
            if (name.endsWith("ClosedConnectionException") || name.endsWith("ConnectTimeoutException")
                    || name.endsWith("PoolTimeoutException") || name.endsWith("VertxException")
                    && String.valueOf(t.getMessage()).toLowerCase().contains("connection")) {
                return true;
            }
            if (name.equals("io.vertx.pgclient.PgException") && sqlState(t) != null && SQL_STATES.contains(sqlState(t))) {
                return true;
            }
            String message = String.valueOf(t.getMessage()).toLowerCase();
            if (name.endsWith("NoStackTraceThrowable") && (message.contains("connection") || message.contains("timeout"))) {
                return true;
            }
        }
        return false;
    }

    private static String sqlState(Throwable t) {
        try {
            return (String) t.getClass().getMethod("getSqlState").invoke(t);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
