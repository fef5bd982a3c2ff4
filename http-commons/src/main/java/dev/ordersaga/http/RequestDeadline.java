package dev.ordersaga.http;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.ordersaga.http.config.ConfigCheck;
import dev.ordersaga.http.config.Durations;

/**
 * Every request gets an answer within {@code HTTP_REQUEST_DEADLINE}, below the HTTP idle timeout, so
 * that no caller is left with a connection closed without one:
 * <ul>
 * <li>a request whose body has not arrived by then (sent a byte at a time, say) gets 408
 * problem+json and its connection is closed;</li>
 * <li>a request still being worked on gets 503 problem+json with {@code Retry-After}. Its work may
 * still take effect (a timeout is not a failure): a client repeats a write with the same
 * {@code Idempotency-Key}.</li>
 * </ul>
 * The dependencies' own bounds (the database's, the clients') answer first; this is the bound that
 * holds whatever a dependency does.
 */
@ApplicationScoped
public class RequestDeadline {

    private static final Logger LOG = Logger.getLogger(RequestDeadline.class);
    /** The setting's name, for the checks of other bounds that must fit under it. */
    public static final String VARIABLE = "HTTP_REQUEST_DEADLINE";

    void install(@Observes Router router, @ConfigProperty(name = "http.request-deadline", defaultValue = "9s") String value,
            @ConfigProperty(name = "quarkus.http.idle-timeout") Duration idle) {
        Duration deadline = check(value, idle);
        long millis = deadline.toMillis();
        router.route().order(Integer.MIN_VALUE + 2).handler(ctx -> {
            long timer = ctx.vertx().setTimer(millis, t -> expire(ctx, deadline));
            ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
            ctx.next();
        });
    }

    /** The deadline, checked: positive and shorter than the HTTP idle timeout. Stops the start otherwise. */
    public static Duration check(String value, Duration idle) {
        ConfigCheck check = new ConfigCheck("http");
        Duration[] deadline = { Duration.ofSeconds(9) };
        check.attempt(() -> deadline[0] = Durations.positive(VARIABLE, value));
        check.require(deadline[0].compareTo(idle) < 0, VARIABLE, value,
                "must be shorter than the HTTP idle timeout (" + idle + "), or a connection could close before its answer");
        check.orFail();
        return deadline[0];
    }

    private static void expire(RoutingContext ctx, Duration deadline) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.headWritten() || response.closed()) {
            return;
        }
        if (!ctx.request().isEnded()) {
            response.putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
            Problems.send(response, 408, "request-timeout", "Request timeout",
                    "the request was not received within " + deadline.toMillis() + " ms", Map.of());
            return;
        }
        LOG.warnf("%s %s: no answer within %d ms (HTTP_REQUEST_DEADLINE); answered 503", ctx.request().method(),
                ctx.normalizedPath(), deadline.toMillis());
        Problems.send(response, 503, "deadline", "Service unavailable", "the request did not complete within "
                + deadline.toMillis() + " ms; it may still take effect: repeat it (with the same Idempotency-Key)", Map.of());
    }
}
