package dev.ordersaga.gateway.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

import dev.ordersaga.http.InternalSecret;

/**
 * Every endpoint of the gateway but the health probes needs {@code Authorization: Bearer
 * <INTERNAL_SECRET>}: the store holds other services' data (the api's order read model) and its
 * operations repair and replay it. Checked before anything else runs, for every path.
 */
@ApplicationScoped
public class GatewayAuthentication {

    private static final String PROBLEM = "{\"type\":\"https://ordersaga.dev/problems/unauthorized\",\"title\":\"Unauthorized\","
            + "\"status\":401,\"detail\":\"this endpoint needs 'Authorization: Bearer <INTERNAL_SECRET>'\"}";

    void install(@Observes Router router, InternalSecret secret) {
        router.route().order(Integer.MIN_VALUE + 10).handler(ctx -> {
            String path = ctx.normalizedPath();
            if (path.startsWith("/q/health") || secret.accepts(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))) {
                ctx.next();
                return;
            }
            ctx.response().setStatusCode(401)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                    .putHeader("WWW-Authenticate", "Bearer")
                    .end(PROBLEM);
        });
    }
}
