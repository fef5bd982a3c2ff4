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
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.gateway.GatewayConfig;
import dev.ordersaga.gateway.clock.VectorClock;
import dev.ordersaga.gateway.node.Replicas;
import dev.ordersaga.gateway.quorum.QuorumCoordinator;
import dev.ordersaga.gateway.store.Version;
import dev.ordersaga.gateway.store.VersionCodec;
import dev.ordersaga.messaging.http.ProblemException;

/**
 * The key-value API: PUT, GET and DELETE of {@code /kv/{key}}, with the causal context in
 * {@code X-Context} and per-request {@code ?w=} / {@code ?r=} (1, quorum or all).
 */
@Path("/kv/{key}")
public class KvResource {

    /** Header carrying the causal context from a read to the write that follows it. */
    public static final String CONTEXT = "X-Context";

    private final QuorumCoordinator coordinator;
    private final GatewayConfig config;
    private final int replicas;

    public KvResource(QuorumCoordinator coordinator, GatewayConfig config, Replicas replicas) {
        this.coordinator = coordinator;
        this.config = config;
        this.replicas = replicas.size();
    }

    @PUT
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> put(@PathParam("key") String key, @HeaderParam(CONTEXT) String context,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @QueryParam("w") String w, byte[] body) {
        validKey(key);
        if (body == null || body.length > config.maxValueBytes()) {
            throw ProblemException.badRequest("invalid-value", "a value is 0 to " + config.maxValueBytes() + " bytes");
        }
        int acks = level(w, config.w(), "w");
        Version version = coordinator.newVersion(context(context), body,
                contentType == null ? MediaType.APPLICATION_OCTET_STREAM : contentType, false);
        return coordinator.write(key, version, acks).map(ok -> Response.noContent().build());
    }

    @GET
    public Uni<Response> get(@PathParam("key") String key, @QueryParam("r") String r) {
        validKey(key);
        int answers = level(r, config.r(), "r");
        return coordinator.read(key, answers).map(this::respond);
    }

    @DELETE
    public Uni<Response> delete(@PathParam("key") String key, @HeaderParam(CONTEXT) String context,
            @QueryParam("w") String w) {
        validKey(key);
        int acks = level(w, config.w(), "w");
        Version tombstone = coordinator.newVersion(context(context), new byte[0], null, true);
        return coordinator.write(key, tombstone, acks).map(ok -> Response.noContent().build());
    }

    private Response respond(QuorumCoordinator.ReadResult result) {
        String context = VersionCodec.contextHeader(result.context());
        List<Version> live = result.live();
        if (live.isEmpty()) {
            var notFound = Response.status(404).type("application/problem+json")
                    .entity(Map.of("type", "https://ordersaga.dev/problems/not-found", "title", "Not found",
                            "status", 404, "detail", result.versions().isEmpty() ? "no such key" : "deleted"));
            if (!result.versions().isEmpty()) {
                notFound.header(CONTEXT, context);
            }
            return notFound.build();
        }
        if (live.size() == 1) {
            Version v = live.get(0);
            return Response.ok(v.value()).type(v.contentType()).header(CONTEXT, context).build();
        }
        List<Map<String, String>> siblings = live.stream()
                .map(v -> Map.of("contentType", v.contentType() == null ? "" : v.contentType(),
                        "value", Base64.getEncoder().encodeToString(v.value()),
                        "writtenBy", v.dot().coordinator()))
                .toList();
        return Response.status(300).type(MediaType.APPLICATION_JSON).header(CONTEXT, context)
                .entity(Map.of("siblings", siblings)).build();
    }

    private void validKey(String key) {
        if (key == null || key.isEmpty() || key.length() > config.maxKeyLength()) {
            throw ProblemException.badRequest("invalid-key", "a key is 1 to " + config.maxKeyLength() + " characters");
        }
    }

    private static VectorClock context(String header) {
        try {
            return VersionCodec.parseContext(header);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-context", e.getMessage());
        }
    }

    /** 1, quorum or all (or absent: the configured default). */
    private int level(String value, int configured, String name) {
        if (value == null) {
            return configured;
        }
        return switch (value) {
            case "1", "one" -> 1;
            case "quorum" -> replicas / 2 + 1;
            case "all" -> replicas;
            default -> throw ProblemException.badRequest("invalid-" + name, name + " must be 1, quorum or all");
        };
    }
}
