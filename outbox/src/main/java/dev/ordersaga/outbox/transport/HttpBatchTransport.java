package dev.ordersaga.outbox.transport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import dev.ordersaga.http.RequestIds;
import dev.ordersaga.outbox.DeliveryGuards;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.MessageResult;
import dev.ordersaga.outbox.MessageTransport;
import dev.ordersaga.outbox.PoisonMessageException;
import dev.ordersaga.outbox.TraceContext;

/**
 * The one transport between the saga's services: a batch of messages as one HTTP POST of a
 * CloudEvents JSON batch ({@link CloudEventsBatch}) to the peer's batch endpoint, authenticated with
 * the internal secret. The peer answers {@code 200 {"results":[{"id","outcome","detail"}]}}: what
 * became of each message (applied, duplicate, waiting or poison). A service declares one bean per
 * destination that only names it: its URL, path, types and guards.
 *
 * <p>A connection that does not open within 300 ms fails (inside a cluster one opens in well under a
 * millisecond: a SYN without an answer is a cut, not a slow peer); an answer that does not come
 * within the destination's timeout fails the call, and its connection is not reused.
 */
public abstract class HttpBatchTransport implements MessageTransport {

    private static final int CONNECT_TIMEOUT_MS = 300;

    private final WebClient client;
    private final String url;
    private final Supplier<String> authorization;
    private final String source;
    private final DeliveryGuards guards;
    private final CloudEventsBatch codec;
    private final ObjectMapper mapper;

    /**
     * @param url the peer's batch endpoint, e.g. {@code http://worker:8081/jobs}
     * @param source this service as the CloudEvents {@code source}, e.g. {@code /ordersaga/api}
     */
    protected HttpBatchTransport(Vertx vertx, ObjectMapper mapper, String url, Supplier<String> authorization, String source,
            DeliveryGuards guards) {
        this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS)
                .setKeepAlive(true).setMaxPoolSize(64).setTcpNoDelay(true));
        this.url = url;
        this.authorization = authorization;
        this.source = source;
        this.guards = guards;
        this.codec = new CloudEventsBatch(mapper);
        this.mapper = mapper;
    }

    /** A batch of any size is one call ({@code OUTBOX_BATCH_MAX} and {@code OUTBOX_BATCH_BYTES} bound it). */
    @Override
    public int maxBatch() {
        return Integer.MAX_VALUE;
    }

    @Override
    public DeliveryGuards guards() {
        return guards;
    }

    /** One message: a batch of one; a message the peer refuses for good fails as a poison. */
    @Override
    public Uni<Void> deliver(Envelope envelope, String traceparent) {
        return deliverBatch(List.of(envelope.withTraceparent(traceparent)))
                .map(results -> {
                    MessageResult r = results.get(0);
                    if (r.status() == MessageResult.Status.POISON) {
                        throw new PoisonMessageException(r.detail());
                    }
                    return null;
                });
    }

    @Override
    public Uni<List<MessageResult>> deliverBatch(List<Envelope> batch) {
        Buffer body = Buffer.buffer(codec.encode(batch, source));
        var request = client.postAbs(url)
                .putHeader("Content-Type", CloudEventsBatch.MEDIA_TYPE)
                .putHeader("Accept", "application/json")
                .putHeader("Authorization", authorization.get())
                .timeout(guards.timeout().toMillis());
        Envelope first = batch.get(0);
        if (first.requestId() != null) {
            request.putHeader(RequestIds.HEADER, first.requestId());
        }
        if (first.traceparent() != null) {
            request.putHeader(TraceContext.HEADER_NAME, first.traceparent());
        }
        return Uni.createFrom().completionStage(() -> request.sendBuffer(body).toCompletionStage())
                .map(response -> results(batch, response));
    }

    /** What the peer did with each message; a status other than 200 fails the call as a whole. */
    private List<MessageResult> results(List<Envelope> batch, HttpResponse<Buffer> response) {
        if (response.statusCode() != 200) {
            throw new WebApplicationException(Response.status(response.statusCode()).build());
        }
        List<MessageResult> results = new ArrayList<>(batch.size());
        try {
            for (JsonNode r : mapper.readTree(response.body().getBytes()).path("results")) {
                UUID id = UUID.fromString(r.path("id").asText());
                String outcome = r.path("outcome").asText();
                results.add("poison".equals(outcome)
                        ? MessageResult.poison(id, r.path("detail").asText("refused by the receiver"))
                        : MessageResult.taken(id, outcome));
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the peer's answer to a batch cannot be read: " + e.getMessage());
        }
        return results;
    }
}
