package dev.ordersaga.outbox;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.ordersaga.http.ProblemException;

/**
 * The wire form of every message that crosses a service boundary.
 *
 * <p>{@code messageId} makes delivery idempotent (the receiver's inbox), {@code aggregateId} and
 * {@code seq} let the receiver apply the messages of one aggregate in order, {@code requestId}
 * carries the originating request across the asynchronous path, and {@code traceparent} the W3C
 * trace context of the message's delivery (null when none), so that what the receiver writes while
 * it applies the message continues that trace. On the wire a batch of them is a CloudEvents JSON
 * batch ({@link dev.ordersaga.outbox.transport.CloudEventsBatch}).
 */
@RegisterForReflection
public record Envelope(
        UUID messageId,
        String type,
        String aggregateId,
        long seq,
        String requestId,
        Instant occurredAt,
        JsonNode payload,
        String traceparent) {

    /** The same message, delivered in the trace context {@code traceparent}. */
    public Envelope withTraceparent(String traceparent) {
        return new Envelope(messageId, type, aggregateId, seq, requestId, occurredAt, payload, traceparent);
    }

    /** The payload read as a {@code type}; a 400 problem ({@code malformed-message}) when it is not one. */
    public <T> T payloadAs(ObjectMapper mapper, Class<T> type) {
        try {
            T value = mapper.treeToValue(payload, type);
            if (value == null) {
                throw malformed("payload is not a " + type.getSimpleName());
            }
            return value;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw malformed("payload is not a " + type.getSimpleName() + ": "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    /** Checks that the id a payload names is this message's aggregate; a 400 problem otherwise. */
    public String requireAggregate(String idInPayload, String field) {
        if (idInPayload == null || !idInPayload.equals(aggregateId)) {
            throw malformed("payload " + field + " must equal aggregateId");
        }
        return idInPayload;
    }

    private static ProblemException malformed(String detail) {
        return ProblemException.badRequest("malformed-message", detail);
    }
}
