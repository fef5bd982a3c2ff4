package dev.ordersaga.api.replica;

import java.io.IOException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.BinaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.http.InternalSecret;

/**
 * JSON records in the quorum gateway. Siblings (concurrent writes the gateway kept side by side) are
 * folded with the record type's own merge, so a reader always gets one value.
 */
@ApplicationScoped
public class ReplicaStore {

    private final GatewayClient client;
    private final ObjectMapper mapper;
    private final InternalSecret secret;
    /**
     * Guards of a read for a client request: a short timeout ({@code REPLICA_READ_TIMEOUT_MS}) and its
     * own circuit breaker (open when half of the last ten reads failed, for
     * {@code REPLICA_CLIENT_BREAKER_DELAY_MS}), so that a slow or cut replica costs a session read
     * little before it falls back to the primary.
     */
    private final TypedGuard<Uni<Response>> sessionRead;

    public ReplicaStore(@RestClient GatewayClient client, ObjectMapper mapper, InternalSecret secret, ReplicaConfig config) {
        this.client = client;
        this.mapper = mapper;
        this.secret = secret;
        this.sessionRead = TypedGuard.create(new TypeLiteral<Uni<Response>>() {
        })
                .withDescription("replica/session-read")
                .withTimeout().duration(config.readTimeoutMs(), ChronoUnit.MILLIS).done()
                .withCircuitBreaker().requestVolumeThreshold(10).failureRatio(0.5).successThreshold(2)
                .delay(config.client().breakerDelayMs(), ChronoUnit.MILLIS).done()
                .build();
    }

    /** What a read found: the folded value (if any) and the causal context to write over it. */
    public record Found<T>(Optional<T> value, List<T> versions, String context) {
    }

    /**
     * One read at start-up, outside the guards and ignored, so that the first client's read does not
     * pay for the connection and the gateway's first request within its short timeout.
     */
    void warmUp(@Observes StartupEvent event) {
        get("replica-warm-up").subscribe().with(r -> {
        }, f -> {
        });
    }

    /** A read for a client request, through the session-read guards. */
    public <T> Uni<Optional<T>> read(String key, Class<T> type, BinaryOperator<T> merge) {
        return sessionRead.get(() -> get(key)).map(r -> decode(r, type, merge).value());
    }

    /** A read for an update (guarded by the caller's delivery guards). */
    public <T> Uni<Found<T>> fetch(String key, Class<T> type, BinaryOperator<T> merge) {
        return get(key).map(r -> decode(r, type, merge));
    }

    /** The gateway's answer for a key; a 404 (no record yet) is an answer, not a failure. */
    private Uni<Response> get(String key) {
        return client.get(secret.bearer(), key, "quorum")
                .onFailure(WebApplicationException.class).recoverWithUni(f -> {
                    Response r = ((WebApplicationException) f).getResponse();
                    return r != null && r.getStatus() == 404 ? Uni.createFrom().item(r) : Uni.createFrom().failure(f);
                });
    }

    /** Writes {@code value} over what {@code context} saw (W = quorum). */
    public Uni<Void> write(String key, String context, Object value) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            return Uni.createFrom().failure(e);
        }
        return client.put(secret.bearer(), key, "quorum", context, body).replaceWithVoid();
    }

    private <T> Found<T> decode(Response r, Class<T> type, BinaryOperator<T> merge) {
        String context = r.getHeaderString(GatewayClient.CONTEXT);
        try {
            List<T> versions = new ArrayList<>();
            if (r.getStatus() == 200) {
                versions.add(mapper.readValue(r.readEntity(byte[].class), type));
            } else if (r.getStatus() == 300) {
                JsonNode siblings = mapper.readTree(r.readEntity(byte[].class)).path("siblings");
                for (JsonNode s : siblings) {
                    versions.add(mapper.readValue(Base64.getDecoder().decode(s.path("value").asText()), type));
                }
            } else if (r.getStatus() != 404) {
                throw new IllegalStateException("quorum gateway answered " + r.getStatus());
            }
            return new Found<>(versions.stream().reduce(merge), versions, context);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable replica record under this key", e);
        }
    }
}
