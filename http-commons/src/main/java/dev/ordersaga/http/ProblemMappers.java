package dev.ordersaga.http;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/** Maps every failure a request can meet to one problem+json shape. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final String TYPE_BASE = Problems.TYPE_BASE;

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return build(e.status(), e.type(), e.title(), e.getMessage(), e.extensions());
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<Map<String, String>> errors = e.getConstraintViolations().stream()
                .map(ProblemMappers::violation)
                .sorted((a, b) -> a.get("field").compareTo(b.get("field")))
                .toList();
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("errors", errors);
        return build(400, "validation", "Invalid request", errors.size() + " field(s) are invalid", ext);
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return unreadable(e);
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return build(400, "malformed-body", "Malformed request body", describe(e), Map.of());
    }

    /** What is wrong with a JSON body, in the client's terms: field path and expected JSON type, never a Java class. */
    static String describe(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (message.startsWith("Duplicate field")) {
            return "the body names a field twice: " + message.replaceAll("^Duplicate field '([^']*)'.*", "'$1'");
        }
        if (message.startsWith("Trailing token")) {
            return "the body holds something after its JSON document";
        }
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            return "field '" + path(m) + "': expected " + expected(m.getTargetType());
        }
        var location = e.getLocation();
        return "request body is not valid JSON"
                + (location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")");
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class || type == short.class
                || type == Short.class) {
            return "an integer (no fraction, no quotes)";
        }
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        return "an object";
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return unreadable(json);
        }
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase()
                : "HTTP " + status;
        String detail = switch (status) {
            case 404 -> "nothing is served at this path";
            case 405 -> "this method is not allowed here";
            case 406 -> "this endpoint answers application/json (or application/problem+json) only";
            case 415 -> "this endpoint takes Content-Type: application/json";
            default -> title;
        };
        return build(status, "http-" + status, title, detail, Map.of());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        if (Unavailable.is(e)) {
            LOG.warnf("request failed, a dependency is out of reach: %s", e.toString());
            return build(503, "unavailable", "Service unavailable",
                    "a dependency of this service is out of reach; retry shortly (a write may still have taken effect: repeat it with the same Idempotency-Key)", Map.of());
        }
        LOG.error("unexpected failure", e);
        return build(500, "internal", "Internal error", "the request failed; see the logs with its request id", Map.of());
    }

    private static Response build(int status, String type, String title, String detail, Map<String, Object> ext) {
        Map<String, Object> members = new LinkedHashMap<>(ext);
        String requestId = RequestIds.current();
        if (requestId != null) {
            members.put("requestId", requestId);
        }
        Problem body = new Problem(TYPE_BASE + type, title, status, detail, null, members);
        Response.ResponseBuilder response = Response.status(status).type(Problem.MEDIA_TYPE).entity(body);
        if (status == 503) {
            response.header("Retry-After", "1");
        }
        if (status == 401) {
            response.header("WWW-Authenticate", "Bearer");
        }
        return response.build();
    }

    private static Map<String, String> violation(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        // Drop the method and parameter names ("create.request.items[0].quantity" -> "items[0].quantity").
        String[] parts = path.split("\\.", 3);
        String field = parts.length == 3 ? parts[2] : path;
        return Map.of("field", field, "message", v.getMessage());
    }

    private static String path(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
