package dev.ordersaga.gateway.api;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.gateway.causality.KeyState;
import dev.ordersaga.gateway.causality.Sibling;
import dev.ordersaga.gateway.config.GatewayConfig;
import dev.ordersaga.gateway.context.ContextSigner;
import dev.ordersaga.gateway.quorum.QuorumCoordinator;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.http.Problems;
import dev.ordersaga.http.Unavailable;

/**
 * Multi-key calls: many keys read, or written, in one request. Each key is exactly the quorum
 * operation of its single-key call (same levels, same signed context, same bounds, read repair and
 * hints), and gets its own outcome: one key refused or out of reach leaves the others as they went.
 * The request as a whole is refused (400) only when it is not a list of distinct keys within
 * {@code GATEWAY_MAX_BATCH_KEYS}.
 */
@Path("/kv-batch")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class KvBatchResource {

    private static final Logger LOG = Logger.getLogger(KvBatchResource.class);
    /** Keys of one call in flight at once. */
    static final int CONCURRENCY = 32;

    private final QuorumCoordinator coordinator;
    private final ContextSigner contexts;
    private final KvRules rules;
    private final GatewayConfig config;

    public KvBatchResource(QuorumCoordinator coordinator, ContextSigner contexts, KvRules rules, GatewayConfig config) {
        this.coordinator = coordinator;
        this.contexts = contexts;
        this.rules = rules;
        this.config = config;
    }

    @POST
    @Path("/get")
    public Uni<KvBatch.Results> get(KvBatch.GetRequest request) {
        if (request == null || request.keys() == null) {
            throw ProblemException.badRequest("invalid-batch", "the body is {\"keys\": [...], \"r\": ...}");
        }
        List<String> keys = request.keys();
        distinct(keys);
        int r = rules.r(request.r());
        return each(keys.size(), i -> {
            String key = keys.get(i);
            return Uni.createFrom().deferred(() -> {
                rules.validKey(key);
                return coordinator.read(key, r);
            }).map(result -> found(key, result.state()))
                    .onFailure().recoverWithItem(f -> refused(key, f));
        });
    }

    @POST
    @Path("/put")
    public Uni<KvBatch.Results> put(KvBatch.PutRequest request) {
        if (request == null || request.writes() == null) {
            throw ProblemException.badRequest("invalid-batch", "the body is {\"writes\": [...], \"w\": ...}");
        }
        List<KvBatch.Put> writes = request.writes();
        List<String> keys = new ArrayList<>(writes.size());
        for (KvBatch.Put p : writes) {
            if (p == null) {
                throw ProblemException.badRequest("invalid-batch", "every write is an object with a key");
            }
            keys.add(p.key());
        }
        distinct(keys);
        int w = rules.w(request.w());
        return each(writes.size(), i -> {
            KvBatch.Put put = writes.get(i);
            return Uni.createFrom().deferred(() -> coordinator.write(write(put), w))
                    .map(ok -> new KvBatch.Outcome(put.key(), 204, null, null, null))
                    .onFailure().recoverWithItem(f -> refused(put.key(), f));
        });
    }

    /** Refuses a request that names no key, more than {@code GATEWAY_MAX_BATCH_KEYS}, or one key twice. */
    private void distinct(List<String> keys) {
        if (keys.isEmpty()) {
            throw ProblemException.badRequest("invalid-batch", "a multi-key call names at least one key");
        }
        if (keys.size() > config.maxBatchKeys()) {
            throw ProblemException.badRequest("too-many-keys", "a multi-key call names at most " + config.maxBatchKeys()
                    + " keys (GATEWAY_MAX_BATCH_KEYS); this one names " + keys.size())
                    .with("maxKeys", config.maxBatchKeys());
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            if (!seen.add(keys.get(i))) {
                throw ProblemException.badRequest("duplicate-key", "keys[" + i + "] names a key an earlier entry names: "
                        + "each key at most once a call").with("index", i);
            }
        }
    }

    /** The write of one entry, checked as its single-key call is. */
    private QuorumCoordinator.Write write(KvBatch.Put put) {
        rules.validKey(put.key());
        var context = rules.context(put.key(), put.context());
        if (Boolean.TRUE.equals(put.delete())) {
            if (put.value() != null) {
                throw ProblemException.badRequest("invalid-write", "a delete carries no value");
            }
            return new QuorumCoordinator.Write(put.key(), context, new byte[0], null, true);
        }
        if (put.value() == null) {
            throw ProblemException.badRequest("invalid-write", "a write carries a value (base64) or \"delete\": true");
        }
        byte[] value;
        try {
            value = Base64.getDecoder().decode(put.value());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-value", "value is not base64: " + e.getMessage());
        }
        rules.validValue(value);
        String type = put.contentType() == null || put.contentType().isBlank() ? MediaType.APPLICATION_OCTET_STREAM
                : put.contentType();
        return new QuorumCoordinator.Write(put.key(), context, value, type, false);
    }

    /** A read's outcome: 200 with one version, 300 with siblings, 404 with none; the context when there is one. */
    private KvBatch.Outcome found(String key, KeyState state) {
        List<Sibling> live = state.live();
        String context = live.isEmpty() && state.vector().isEmpty() ? null : contexts.sign(key, state.vector());
        List<KvBatch.Version> values = live.stream()
                .map(v -> new KvBatch.Version(v.contentType().isEmpty() ? MediaType.APPLICATION_OCTET_STREAM : v.contentType(),
                        Base64.getEncoder().encodeToString(v.value()), v.writer()))
                .toList();
        int status = live.isEmpty() ? 404 : live.size() == 1 ? 200 : 300;
        return new KvBatch.Outcome(key, status, context, values, null);
    }

    /** A key's refusal or failure, as the problem its single-key call would have answered. */
    private static KvBatch.Outcome refused(String key, Throwable f) {
        Map<String, Object> problem = new LinkedHashMap<>();
        int status;
        if (f instanceof ProblemException p) {
            status = p.status();
            problem.put("type", Problems.TYPE_BASE + p.type());
            problem.put("title", p.title());
            problem.put("status", status);
            problem.put("detail", p.getMessage());
            problem.putAll(p.extensions());
        } else if (Unavailable.is(f)) {
            status = 503;
            problem.put("type", Problems.TYPE_BASE + "unavailable");
            problem.put("title", "Service unavailable");
            problem.put("status", status);
            problem.put("detail", "the key's replicas are out of reach; retry shortly");
        } else {
            LOG.error("unexpected failure of one key of a multi-key call", f);
            status = 500;
            problem.put("type", Problems.TYPE_BASE + "internal");
            problem.put("title", "Internal error");
            problem.put("status", status);
            problem.put("detail", "this key's operation failed; see the logs with the request id");
        }
        return new KvBatch.Outcome(key, status, null, null, problem);
    }

    /** Runs one operation per key, {@link #CONCURRENCY} at a time; the outcomes in the keys' order. */
    private static Uni<KvBatch.Results> each(int n, IntFunction<Uni<KvBatch.Outcome>> operation) {
        return Multi.createFrom().range(0, n)
                .onItem().transformToUni(i -> operation.apply(i).map(o -> Map.entry(i, o))).merge(CONCURRENCY)
                .collect().asList()
                .map(done -> {
                    KvBatch.Outcome[] outcomes = new KvBatch.Outcome[n];
                    done.forEach(e -> outcomes[e.getKey()] = e.getValue());
                    return new KvBatch.Results(List.of(outcomes));
                });
    }
}
