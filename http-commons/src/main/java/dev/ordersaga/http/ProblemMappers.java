package dev.ordersaga.http;

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
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/** Maps every failure a request can meet to one problem+json shape. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final String TYPE_BASE = "https://ordersaga.dev/problems/";

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
        String detail = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? "field '" + path(m) + "': " + (e instanceof InvalidFormatException ? "wrong type or format" : "unexpected value")
                : "request body is not valid JSON: " + e.getOriginalMessage();
        return build(400, "malformed-body", "Malformed request body", detail, Map.of());
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
        return build(status, "http-" + status, title, e.getMessage(), Map.of());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
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
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(body).build();
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
