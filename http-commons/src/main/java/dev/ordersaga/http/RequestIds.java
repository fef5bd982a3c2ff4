package dev.ordersaga.http;

import java.util.UUID;
import java.util.regex.Pattern;

import org.jboss.logging.MDC;

import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The request id of the work in progress. Kept in the Vert.x duplicated context (so it follows the
 * request across asynchronous steps) and in the logging MDC (so every log line carries it).
 */
public final class RequestIds {

    /** Header that carries the id over HTTP, in both directions. */
    public static final String HEADER = "X-Request-Id";
    /** MDC and context key. */
    public static final String KEY = "requestId";

    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    /** The id a caller sent, when it is a sane token, or a new one. */
    public static String acceptOrCreate(String fromHeader) {
        if (fromHeader != null && ACCEPTABLE.matcher(fromHeader).matches()) {
            return fromHeader;
        }
        return UUID.randomUUID().toString();
    }

    /** Binds an id to the current request context and the MDC. */
    public static void bind(String requestId) {
        if (isOnDuplicatedContext()) {
            ContextLocals.put(KEY, requestId);
        }
        MDC.put(KEY, requestId);
    }

    /** The id bound to the current request, or null outside a request. */
    public static String current() {
        if (isOnDuplicatedContext()) {
            String id = ContextLocals.<String>get(KEY).orElse(null);
            if (id != null) {
                return id;
            }
        }
        Object fromMdc = MDC.get(KEY);
        return fromMdc == null ? null : fromMdc.toString();
    }

    private static boolean isOnDuplicatedContext() {
        Context context = Vertx.currentContext();
        return context != null && VertxContext.isDuplicatedContext(context);
    }
}
