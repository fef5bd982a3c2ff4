package dev.ordersaga.outbox;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

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
}
