package dev.ordersaga.api.session;

import java.util.Locale;

import dev.ordersaga.http.ProblemException;

/** Where a read may be served from: {@code read=auto|primary|replica}. */
public enum ReadPreference {
    /** The replica when it is fresh enough for the session, the primary otherwise. */
    AUTO,
    /** PostgreSQL, always current. */
    PRIMARY,
    /** The replica, even when it is behind (shows what eventual consistency looks like). */
    REPLICA;

    /** Parses the query parameter ({@code read}, or its alias {@code consistency}); absent means auto. */
    public static ReadPreference parse(String read, String consistency) {
        if (read != null && consistency != null && !read.equalsIgnoreCase(consistency)) {
            throw ProblemException.badRequest("invalid-read", "read and consistency disagree; give one of them");
        }
        String value = read != null ? read : consistency;
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "primary" -> PRIMARY;
            case "replica" -> REPLICA;
            default -> throw ProblemException.badRequest("invalid-read", "read must be auto, primary or replica");
        };
    }
}
