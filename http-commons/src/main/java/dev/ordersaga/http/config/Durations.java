package dev.ordersaga.http.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as settings write them: {@code 500ms}, {@code 1s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT5S}). */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /** Parses a duration; IllegalArgumentException naming {@code variable} when it is not one. */
    public static Duration parse(String variable, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(v);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(variable + "=" + value + ": is not a duration such as 500ms, 1s, 5m or PT5S");
        }
    }

    /** Parses a duration that must be positive. */
    public static Duration positive(String variable, String value) {
        Duration d = parse(variable, value);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(variable + "=" + value + ": must be a positive duration");
        }
        return d;
    }
}
