package dev.ordersaga.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure that is the caller's to see: it carries the HTTP status, a stable problem type and the
 * facts that explain it. Mapped once, by {@link ProblemMappers}, to problem+json.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public ProblemException(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    /** 404 for an id that names nothing. */
    public static ProblemException notFound(String what, Object id) {
        return new ProblemException(404, "not-found", what + " not found", what + " " + id + " does not exist")
                .with("id", String.valueOf(id));
    }

    /** 400 for input that cannot be accepted as it is. */
    public static ProblemException badRequest(String type, String detail) {
        return new ProblemException(400, type, "Bad request", detail);
    }

    /** Adds an extension member to the problem document. */
    public ProblemException with(String key, Object value) {
        extensions.put(key, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }
}
