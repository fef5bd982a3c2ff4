package dev.ordersaga.http;

import java.util.Map;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * problem+json answers written straight to the HTTP response, for failures met before any resource
 * runs (refused input, unknown routes, oversized bodies). Same shape as {@link ProblemMappers}.
 */
public final class Problems {

    /** Base of every problem type. */
    public static final String TYPE_BASE = "https://ordersaga.dev/problems/";

    private Problems() {
    }

    /** Ends {@code response} with a problem; does nothing when the response was already sent. */
    public static void send(HttpServerResponse response, int status, String type, String title, String detail,
            Map<String, Object> extensions) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        JsonObject body = new JsonObject().put("type", TYPE_BASE + type).put("title", title).put("status", status)
                .put("detail", detail);
        extensions.forEach(body::put);
        String requestId = RequestIds.current();
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        response.setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (status == 503) {
            response.putHeader("Retry-After", "1");
        }
        response.end(body.encode());
    }
}
