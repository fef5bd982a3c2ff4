package dev.ordersaga.outbox;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Turns whatever a REST call threw into a {@link DeliveryFailure}. Pure: it only looks at the
 * exception and its causes.
 */
public final class FailureClassifier {

    /**
     * 4xx answers that say "try again later" rather than "never": a timeout or throttling (408, 425,
     * 429), and a refusal of this service's credentials (401, 403), a fault of configuration that
     * passes once it is fixed and that concerns every message to the destination, not this one.
     */
    private static final Set<Integer> RETRYABLE_4XX = Set.of(401, 403, 408, 425, 429);

    private FailureClassifier() {
    }

    public static DeliveryFailure classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            DeliveryFailure found = classifyOne(t);
            if (found != null) {
                return found;
            }
        }
        return new DeliveryFailure(ErrorKind.UNKNOWN, true, describe(failure));
    }

    private static DeliveryFailure classifyOne(Throwable t) {
        if (t instanceof PoisonMessageException) {
            return new DeliveryFailure(ErrorKind.POISON, false, t.getMessage());
        }
        if (t instanceof WebApplicationException web && web.getResponse() != null) {
            int status = web.getResponse().getStatus();
            if (status >= 500) {
                return new DeliveryFailure(ErrorKind.SERVER_ERROR, true, "HTTP " + status);
            }
            if (status >= 400) {
                return new DeliveryFailure(ErrorKind.CLIENT_ERROR, RETRYABLE_4XX.contains(status), "HTTP " + status);
            }
        }
        if (t instanceof CircuitBreakerOpenException) {
            return new DeliveryFailure(ErrorKind.CIRCUIT_OPEN, true, "circuit breaker open");
        }
        if (t instanceof BulkheadException) {
            return new DeliveryFailure(ErrorKind.BUSY, true, "too many deliveries waiting for this destination");
        }
        if (t instanceof TimeoutException || t instanceof java.util.concurrent.TimeoutException
                || t instanceof SocketTimeoutException
                || t.getClass().getName().endsWith("ConnectTimeoutException")
                || t.getClass().getName().endsWith("NoStackTraceTimeoutException")) {
            return new DeliveryFailure(ErrorKind.TIMEOUT, true, describe(t));
        }
        if (t instanceof ConnectException || t instanceof NoRouteToHostException
                || t instanceof UnknownHostException || t instanceof ClosedChannelException
                || t.getClass().getName().equals("io.vertx.core.http.HttpClosedException")
                || t.getClass().getName().equals("io.vertx.core.VertxException") && isConnectionMessage(t)
                || t instanceof IOException && isConnectionMessage(t)) {
            return new DeliveryFailure(ErrorKind.CONNECT, true, describe(t));
        }
        return null;
    }

    private static boolean isConnectionMessage(Throwable t) {
        String m = String.valueOf(t.getMessage()).toLowerCase();
        return m.contains("connection") || m.contains("reset") || m.contains("closed") || m.contains("refused");
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        String text = t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    /** The breaker's predicate: a failure counts against the destination unless it is the message's own fault. */
    public static final class DestinationFault implements Predicate<Throwable> {
        @Override
        public boolean test(Throwable t) {
            return !classify(t).messageFault();
        }
    }

    /**
     * The guard's retry predicate: retry only what can succeed on another try, now. A call that timed
     * out waiting for its answer is not retried at once: the receiver may still be working on it, and
     * the same messages again would only queue behind it (on its locks, its pool, its CPU) and time
     * out too; they wait for their backoff. A connection that never opened is retried: nothing was sent.
     */
    public static final class Retryable implements Predicate<Throwable> {
        @Override
        public boolean test(Throwable t) {
            DeliveryFailure f = classify(t);
            return f.retryable() && !f.kind().notAttempted() && !(f.kind() == ErrorKind.TIMEOUT && !neverConnected(t));
        }
    }

    /** Whether the failure is a connection that did not open in time (nothing reached the receiver). */
    static boolean neverConnected(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getName().endsWith("ConnectTimeoutException")) {
                return true;
            }
        }
        return false;
    }
}
