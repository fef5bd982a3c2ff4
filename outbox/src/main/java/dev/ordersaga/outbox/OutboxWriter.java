package dev.ordersaga.outbox;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Writes messages to the outbox inside the caller's transaction, so that a state change and the
 * message it causes commit together or not at all. After the commit, hand the returned rows to
 * {@link OutboxPublisher#dispatch(java.util.List)} for a first attempt without waiting for the poller.
 */
@ApplicationScoped
public class OutboxWriter {

    private final OutboxRepository repository;
    private final OutboxPublisher publisher;
    private final OutboxConfig config;
    private final ObjectMapper mapper;

    public OutboxWriter(OutboxRepository repository, OutboxPublisher publisher, OutboxConfig config,
            ObjectMapper mapper) {
        this.repository = repository;
        this.publisher = publisher;
        this.config = config;
        this.mapper = mapper;
    }

    /** Adds a message in {@code tx}, claimed by this process's publisher; returns the row. */
    public Uni<OutboxMessage> enqueue(SqlConnection tx, NewMessage message) {
        UUID id = UUID.randomUUID();
        String json;
        try {
            json = mapper.writeValueAsString(message.payload());
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("payload cannot be serialised", e));
        }
        return repository.insert(tx, id, message, json, publisher.publisherId(), config.lease());
    }
}
