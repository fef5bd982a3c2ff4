package dev.ordersaga.http;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Every error the HTTP layer produces outside the resources is problem+json too: a path nothing
 * serves (404, on the management interface too), a method it does not take (405), a body over the limit (413), and any failure that
 * escapes a route (500, or 503 with {@code Retry-After} when a dependency such as the database is
 * out of reach). Details name no internal class.
 */
@ApplicationScoped
public class ProblemRoutes {

    private static final Logger LOG = Logger.getLogger(ProblemRoutes.class);

    /** The management interface (metrics) answers an unknown path with the same problem as the service port. */
    void installOnManagement(@Observes ManagementInterface management) {
        management.router().errorHandler(404, ctx -> Problems.send(ctx.response(), 404, "not-found", "Not found",
                "nothing is served at " + ctx.normalizedPath(), Map.of()));
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).failureHandler(this::failure);
        router.errorHandler(404, ctx -> Problems.send(ctx.response(), 404, "not-found", "Not found",
                "nothing is served at " + ctx.normalizedPath(), Map.of()));
        router.errorHandler(405, ctx -> Problems.send(ctx.response(), 405, "http-405", "Method not allowed",
                ctx.request().method() + " is not allowed here", Map.of()));
        router.errorHandler(500, ctx -> failure(ctx));
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        Throwable failure = ctx.failure();
        if (status == 413) {
            // the rest of the body is not read: the connection ends with this answer
            ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
            Problems.send(ctx.response(), 413, "body-too-large", "Request body too large",
                    "the request body is larger than this endpoint accepts", Map.of());
        } else if (status >= 400 && status < 500) {
            Problems.send(ctx.response(), status, "http-" + status, "Request refused", "the request was refused", Map.of());
        } else if (failure != null && Unavailable.is(failure)) {
            LOG.warnf("request failed, a dependency is out of reach: %s", failure.toString());
            Problems.send(ctx.response(), 503, "unavailable", "Service unavailable",
                    "a dependency of this service is out of reach; retry shortly (a write may still have taken effect: repeat it with the same Idempotency-Key)", Map.of());
        } else {
            LOG.error("unexpected failure", failure);
            Problems.send(ctx.response(), 500, "internal", "Internal error",
                    "the request failed; see the logs with its request id", Map.of());
        }
    }
}
