package dev.ordersaga.http.logging;

import java.util.HashMap;
import java.util.Map;

import org.jboss.logging.MDC;

/**
 * Runs a log statement with extra structured fields ({@code orderId}, {@code messageId},
 * {@code attempt}, {@code errorKind}...) in the MDC, then restores what was there. The JSON log
 * formatter writes MDC entries as top-level fields.
 */
public final class LogFields {

    private LogFields() {
    }

    public static void with(Map<String, ?> fields, Runnable log) {
        Map<String, Object> previous = new HashMap<>();
        fields.forEach((key, value) -> {
            previous.put(key, MDC.get(key));
            if (value != null) {
                MDC.put(key, String.valueOf(value));
            }
        });
        try {
            log.run();
        } finally {
            previous.forEach((key, value) -> {
                if (value == null) {
                    MDC.remove(key);
                } else {
                    MDC.put(key, value);
                }
            });
        }
    }
}
