package dev.ordersaga.gateway.api;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

import dev.ordersaga.gateway.config.GatewayConfig;
import dev.ordersaga.http.Problems;

/**
 * The body of a single-key write is its value: one announced larger than
 * {@code GATEWAY_MAX_VALUE_BYTES} is a 413 problem before the body is read (a client that sent
 * {@code Expect: 100-continue} never sends it). The HTTP body limit itself is
 * {@code GATEWAY_MAX_BATCH_BYTES}, which multi-key writes need; a value that arrives chunked is
 * checked by {@link KvResource} once read.
 */
@ApplicationScoped
public class ValueLimit {

    void install(@Observes Router router, GatewayConfig config) {
        long max = config.maxValueBytes();
        router.route("/kv/*").order(Integer.MIN_VALUE + 20).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > max) {
                ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
                Problems.send(ctx.response(), 413, "value-too-large", "Value too large",
                        "a value is at most " + max + " bytes (GATEWAY_MAX_VALUE_BYTES)", Map.of());
                return;
            }
            ctx.next();
        });
    }
}
