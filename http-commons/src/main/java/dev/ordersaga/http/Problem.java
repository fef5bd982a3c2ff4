package dev.ordersaga.http;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem detail. Extension members (such as {@code errors} or {@code requestId}) are
 * written at the top level, as the RFC asks.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
        @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {

    /** Media type of every error response. */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** Extension members, flattened into the JSON object. */
    @JsonAnyGetter
    public Map<String, Object> any() {
        return extensions;
    }
}
