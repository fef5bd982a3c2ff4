package dev.ordersaga.outbox;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * The W3C {@code traceparent} an outbox row keeps, so that the trace of the request that wrote it
 * goes on when the row is delivered, whenever that is and whichever publisher does it.
 */
public final class TraceContext {

    /** The W3C header that carries a trace context (a null value is not sent). */
    public static final String HEADER_NAME = "traceparent";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<String> HEADER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(HEADER_NAME);
        }

        @Override
        public String get(String carrier, String key) {
            return HEADER_NAME.equals(key) ? carrier : null;
        }
    };

    private TraceContext() {
    }

    /** The {@code traceparent} of the current span, or null when there is none. */
    public static String current() {
        return traceparent(Span.current());
    }

    /** The {@code traceparent} of {@code span}, or null when its context is not valid. */
    public static String traceparent(Span span) {
        SpanContext context = span.getSpanContext();
        if (!context.isValid()) {
            return null;
        }
        Map<String, String> headers = new HashMap<>(2);
        W3C.inject(Context.root().with(span), headers, Map::put);
        return headers.get(HEADER_NAME);
    }

    /** The trace id of a {@code traceparent} (its second field), or null. */
    public static String traceId(String traceparent) {
        return traceparent != null && traceparent.length() >= 35 ? traceparent.substring(3, 35) : null;
    }

    /** The context a stored {@code traceparent} names, or the root context when there is none (or it is malformed). */
    public static Context parent(String traceparent) {
        return traceparent == null ? Context.root() : W3C.extract(Context.root(), traceparent, HEADER);
    }
}
