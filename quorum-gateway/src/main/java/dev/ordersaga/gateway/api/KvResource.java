package dev.ordersaga.gateway.api;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

import dev.ordersaga.gateway.causality.KeyState;
import dev.ordersaga.gateway.causality.Sibling;
import dev.ordersaga.gateway.context.ContextSigner;
import dev.ordersaga.gateway.quorum.QuorumCoordinator;
import dev.ordersaga.http.ProblemException;

/**
 * The key-value API: PUT, GET and DELETE of {@code /kv/{key}}, with the signed causal context in
 * {@code X-Context} and per-request {@code ?w=} / {@code ?r=} (1, quorum or all).
 */
@Path("/kv/{key}")
public class KvResource {

    /** Header carrying the causal context from a read to the write that follows it. */
    public static final String CONTEXT = "X-Context";
    private static final String PREFIX = "/kv/";

    private final QuorumCoordinator coordinator;
    private final ContextSigner contexts;
    private final KvRules rules;

    public KvResource(QuorumCoordinator coordinator, ContextSigner contexts, KvRules rules) {
        this.coordinator = coordinator;
        this.contexts = contexts;
        this.rules = rules;
    }

    @PUT
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> put(@PathParam("key") String key, @HeaderParam(CONTEXT) String context,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @QueryParam("w") String w, @Context HttpServerRequest uri,
            byte[] body) {
        validKey(key, uri);
        if (body == null) {
            body = new byte[0];
        }
        rules.validValue(body);
        int acks = rules.w(w);
        var write = new QuorumCoordinator.Write(key, rules.context(key, context), body,
                contentType == null ? MediaType.APPLICATION_OCTET_STREAM : contentType, false);
        return coordinator.write(write, acks).map(ok -> Response.noContent().build());
    }

    @GET
    public Uni<Response> get(@PathParam("key") String key, @QueryParam("r") String r, @Context HttpServerRequest uri) {
        validKey(key, uri);
        int answers = rules.r(r);
        return coordinator.read(key, answers).map(result -> respond(key, result.state()));
    }

    @DELETE
    public Uni<Response> delete(@PathParam("key") String key, @HeaderParam(CONTEXT) String context,
            @QueryParam("w") String w, @Context HttpServerRequest uri) {
        validKey(key, uri);
        int acks = rules.w(w);
        var tombstone = new QuorumCoordinator.Write(key, rules.context(key, context), new byte[0], null, true);
        return coordinator.write(tombstone, acks).map(ok -> Response.noContent().build());
    }

    private Response respond(String key, KeyState state) {
        String context = contexts.sign(key, state.vector());
        List<Sibling> live = state.live();
        if (live.isEmpty()) {
            var notFound = Response.status(404).type("application/problem+json")
                    .entity(Map.of("type", "https://ordersaga.dev/problems/not-found", "title", "Not found",
                            "status", 404, "detail", state.siblings().isEmpty() ? "no such key" : "deleted"));
            if (!state.vector().isEmpty()) {
                notFound.header(CONTEXT, context);
            }
            return notFound.build();
        }
        if (live.size() == 1) {
            Sibling v = live.get(0);
            return Response.ok(v.value()).type(v.contentType().isEmpty() ? MediaType.APPLICATION_OCTET_STREAM : v.contentType())
                    .header(CONTEXT, context).build();
        }
        List<Map<String, String>> siblings = live.stream()
                .map(v -> Map.of("contentType", v.contentType(),
                        "value", Base64.getEncoder().encodeToString(v.value()),
                        "writtenBy", v.writer()))
                .toList();
        return Response.status(300).type(MediaType.APPLICATION_JSON).header(CONTEXT, context)
                .entity(Map.of("siblings", siblings)).build();
    }

    /**
     * A key is stored exactly as its path segment decodes: a segment that the HTTP layer would not
     * hand over whole (a {@code ;} starts matrix parameters, which it drops; a {@code /} or dot segment
     * changes the path) is refused, so that no byte of a key can make it mean another key. Such
     * characters are sent percent-encoded ({@code %3B}, {@code %2F}).
     */
    private void validKey(String key, HttpServerRequest request) {
        String target = request.uri();
        int query = target.indexOf('?');
        String raw = query < 0 ? target : target.substring(0, query);
        int start = raw.indexOf(PREFIX);
        String segment = start < 0 ? "" : raw.substring(start + PREFIX.length());
        if (segment.indexOf(';') >= 0 || segment.indexOf('/') >= 0 || key == null || !key.equals(KeySegments.decode(segment))) {
            throw ProblemException.badRequest("invalid-key",
                    "a key is one path segment, sent percent-encoded (';' as %3B, '/' as %2F) and stored exactly as it decodes");
        }
        rules.validKey(key);
    }
}
