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
 * {@code seq} let the receiver apply the messages of one aggregate in order, and {@code requestId}
 * carries the originating request across the asynchronous path.
 */
@RegisterForReflection
public record Envelope(
        UUID messageId,
        String type,
        String aggregateId,
        long seq,
        String requestId,
        Instant occurredAt,
        JsonNode payload) {

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
