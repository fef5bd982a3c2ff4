package dev.ordersaga.api.replica;

import java.io.IOException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.BinaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

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
     * Guard of a read for a client request, beside its short timeout ({@code REPLICA_READ_TIMEOUT_MS},
     * in {@link #get}): its own circuit breaker (open when half of the last ten reads failed, for
     * {@code REPLICA_CLIENT_BREAKER_DELAY_MS}), so that a slow or cut replica costs a session read
     * little before it falls back to the primary.
     */
    private final TypedGuard<CompletionStage<Reply>> sessionRead;
    /**
     * The client of single-key reads: a plain Vert.x web client, whose answers arrive on the event
     * loop of the request that asked, with no JAX-RS machinery around a call on the read path.
     */
    private final WebClient web;
    private final String kvUrl;
    private final long readTimeoutMs;
    private final long fetchTimeoutMs;
    private final Vertx vertx;

    public ReplicaStore(@RestClient GatewayClient client, ObjectMapper mapper, InternalSecret secret, ReplicaConfig config,
            Vertx vertx, @ConfigProperty(name = "gateway.url") String gatewayUrl) {
        this.client = client;
        this.mapper = mapper;
        this.secret = secret;
        this.readTimeoutMs = config.readTimeoutMs();
        this.fetchTimeoutMs = config.client().timeoutMs();
        this.vertx = vertx;
        this.kvUrl = (gatewayUrl.endsWith("/") ? gatewayUrl.substring(0, gatewayUrl.length() - 1) : gatewayUrl) + "/kv/";
        this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) Math.min(500, readTimeoutMs))
                .setKeepAlive(true).setMaxPoolSize(32).setTcpNoDelay(true).setFollowRedirects(false));
        this.sessionRead = TypedGuard.create(new TypeLiteral<CompletionStage<Reply>>() {
        })
                .withDescription("replica/session-read")
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
        get("replica-warm-up", readTimeoutMs).whenComplete((r, f) -> {
        });
    }

    /** A read for a client request, through the session-read guards. */
    public <T> Uni<Optional<T>> read(String key, Class<T> type, BinaryOperator<T> merge) {
        return Uni.createFrom().completionStage(() -> sessionRead.get(() -> get(key, readTimeoutMs)))
                .map(r -> decode(r, type, merge).value());
    }

    /** The gateway's answer to a read of one key: 200 with the value, 300 with siblings, or 404. */
    record Reply(int status, String context, Buffer body) {
    }

    /**
     * A GET of one key at {@code r=quorum}: 200, 300 and 404 (no record yet) are answers; any other
     * status fails it as the gateway's answer ({@link WebApplicationException}, so a session read's
     * breaker counts it and a delivery classifies it), as does no answer within {@code timeoutMs} from
     * now (connecting included: a timer on the caller's event loop, cancelled by the answer).
     */
    private CompletionStage<Reply> get(String key, long timeoutMs) {
        Promise<Reply> answer = Promise.promise();
        long timer = vertx.setTimer(timeoutMs, t -> answer.tryFail(new TimeoutException(
                "the quorum gateway did not answer a read of one key within " + timeoutMs + " ms")));
        web.getAbs(kvUrl + GatewayKeys.encode(key) + "?r=quorum")
                .putHeader("Authorization", secret.bearer())
                .timeout(timeoutMs)
                .send()
                .onComplete(r -> {
                    vertx.cancelTimer(timer);
                    if (r.failed()) {
                        answer.tryFail(r.cause());
                        return;
                    }
                    int status = r.result().statusCode();
                    if (status != 200 && status != 300 && status != 404) {
                        answer.tryFail(new WebApplicationException("quorum gateway answered " + status, status));
                    } else {
                        Buffer body = r.result().body();
                        answer.tryComplete(new Reply(status, r.result().getHeader(GatewayClient.CONTEXT),
                                body == null ? Buffer.buffer() : body));
                    }
                });
        return answer.future().toCompletionStage();
    }

    private <T> Found<T> decode(Reply r, Class<T> type, BinaryOperator<T> merge) {
        try {
            List<T> versions = new ArrayList<>();
            if (r.status() == 200) {
                versions.add(mapper.readValue(r.body().getBytes(), type));
            } else if (r.status() == 300) {
                for (JsonNode s : mapper.readTree(r.body().getBytes()).path("siblings")) {
                    versions.add(mapper.readValue(Base64.getDecoder().decode(s.path("value").asText()), type));
                }
            }
            return new Found<>(versions.stream().reduce(merge), versions, r.context());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable replica record under this key", e);
        }
    }

    /** A read for an update (guarded by the caller's delivery guards), within {@code REPLICA_CLIENT_TIMEOUT_MS}. */
    public <T> Uni<Found<T>> fetch(String key, Class<T> type, BinaryOperator<T> merge) {
        return Uni.createFrom().completionStage(() -> get(key, fetchTimeoutMs)).map(r -> decode(r, type, merge));
    }

    /** Keys a multi-key call names at most: the least {@code GATEWAY_MAX_BATCH_KEYS} a gateway accepts. */
    static final int MAX_KEYS_A_CALL = 128;
    /** Encoded value bytes a multi-key write carries at most (a larger value goes alone): half the least body limit of a gateway. */
    static final int MAX_BYTES_A_CALL = 2 * 1024 * 1024;

    /**
     * One key of a multi-key read, as the gateway answered it: the stored versions with the context to
     * write over them, or the failure of that key alone.
     */
    public record Fetched(String key, List<byte[]> versions, String context, Throwable failure) {
    }

    /**
     * Reads many keys at W = quorum, {@value #MAX_KEYS_A_CALL} a call. The Uni fails only when a call
     * fails as a whole; a key the gateway could not read carries its own failure.
     */
    public Uni<Map<String, Fetched>> fetchMany(Collection<String> keys) {
        List<Uni<List<Fetched>>> calls = new ArrayList<>();
        List<String> all = List.copyOf(keys);
        for (int from = 0; from < all.size(); from += MAX_KEYS_A_CALL) {
            List<String> part = all.subList(from, Math.min(all.size(), from + MAX_KEYS_A_CALL));
            ObjectNode request = mapper.createObjectNode().put("r", "quorum");
            part.forEach(request.putArray("keys")::add);
            calls.add(client.getMany(secret.bearer(), request).map(ReplicaStore::fetched));
        }
        if (calls.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Uni.join().all(calls).andFailFast().map(parts -> {
            Map<String, Fetched> found = new LinkedHashMap<>();
            parts.forEach(p -> p.forEach(f -> found.put(f.key(), f)));
            return found;
        });
    }

    private static List<Fetched> fetched(JsonNode answer) {
        List<Fetched> out = new ArrayList<>();
        for (JsonNode o : answer.path("results")) {
            String key = o.path("key").asText();
            int status = o.path("status").asInt();
            if (status != 200 && status != 300 && status != 404) {
                out.add(new Fetched(key, List.of(), null, refusal(key, status, o)));
                continue;
            }
            List<byte[]> versions = new ArrayList<>();
            for (JsonNode v : o.path("values")) {
                versions.add(Base64.getDecoder().decode(v.path("value").asText()));
            }
            out.add(new Fetched(key, versions, o.path("context").isTextual() ? o.path("context").asText() : null, null));
        }
        return out;
    }

    /** A key's refusal as the exception its single-key call would have ended in (a 4xx is the message's fault). */
    private static WebApplicationException refusal(String key, int status, JsonNode outcome) {
        String detail = outcome.path("problem").path("detail").asText("HTTP " + status);
        return new WebApplicationException("quorum gateway answered " + status + " for " + key + ": " + detail, status);
    }

    /** A fetched key as a record of {@code type}, its siblings folded with {@code merge}; throws the key's failure. */
    public <T> Found<T> decode(Fetched fetched, Class<T> type, BinaryOperator<T> merge) {
        if (fetched.failure() != null) {
            throw fetched.failure() instanceof RuntimeException r ? r : new IllegalStateException(fetched.failure());
        }
        try {
            List<T> versions = new ArrayList<>();
            for (byte[] v : fetched.versions()) {
                versions.add(mapper.readValue(v, type));
            }
            return new Found<>(versions.stream().reduce(merge), versions, fetched.context());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable replica record under " + fetched.key(), e);
        }
    }

    /** One key to write: the new record over the context of the read it replaces. */
    public record Put(String key, String context, Object value) {
    }

    /**
     * Writes many keys at W = quorum, in calls of at most {@value #MAX_KEYS_A_CALL} keys and about
     * {@value #MAX_BYTES_A_CALL} bytes. Completes with the failure of each key the gateway did not
     * take (none: every key written); fails only when a call fails as a whole.
     */
    public Uni<Map<String, Throwable>> writeMany(List<Put> puts) {
        List<Uni<Map<String, Throwable>>> calls = new ArrayList<>();
        ArrayNode writes = mapper.createArrayNode();
        long bytes = 0;
        try {
            for (Put p : puts) {
                String value = Base64.getEncoder().encodeToString(mapper.writeValueAsBytes(p.value()));
                if (!writes.isEmpty() && (writes.size() == MAX_KEYS_A_CALL || bytes + value.length() > MAX_BYTES_A_CALL)) {
                    calls.add(putMany(writes));
                    writes = mapper.createArrayNode();
                    bytes = 0;
                }
                ObjectNode w = writes.addObject().put("key", p.key()).put("contentType", "application/json").put("value", value);
                if (p.context() != null) {
                    w.put("context", p.context());
                }
                bytes += value.length();
            }
        } catch (IOException e) {
            return Uni.createFrom().failure(e);
        }
        if (!writes.isEmpty()) {
            calls.add(putMany(writes));
        }
        if (calls.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Uni.join().all(calls).andFailFast().map(parts -> {
            Map<String, Throwable> failed = new LinkedHashMap<>();
            parts.forEach(failed::putAll);
            return failed;
        });
    }

    private Uni<Map<String, Throwable>> putMany(ArrayNode writes) {
        ObjectNode request = mapper.createObjectNode().put("w", "quorum");
        request.set("writes", writes);
        return client.putMany(secret.bearer(), request).map(answer -> {
            Map<String, Throwable> failed = new LinkedHashMap<>();
            for (JsonNode o : answer.path("results")) {
                int status = o.path("status").asInt();
                if (status != 204) {
                    String key = o.path("key").asText();
                    failed.put(key, refusal(key, status, o));
                }
            }
            return failed;
        });
    }
}
