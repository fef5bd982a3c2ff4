package dev.ordersaga.http.config;

import java.net.URI;

/** Checks of the peer URLs a service is given. */
public final class Urls {

    private Urls() {
    }

    /** Whether {@code value} is an absolute {@code http(s)://host[:port]} URL. */
    public static boolean http(String value) {
        try {
            URI uri = new URI(value.trim());
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null;
        } catch (Exception e) {
            return false;
        }
    }
}
