package dev.ordersaga.outbox;

import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Writes a message to the outbox inside a transaction, claimed by this process's publisher for its
 * first attempt after the commit. Callers go through {@link UnitOfWork.Tx#send(NewMessage)}, which
 * also dispatches the message after the commit.
 */
@ApplicationScoped
class OutboxWriter {

    private final OutboxRepository repository;
    private final OutboxPublisher publisher;
    private final OutboxConfig config;
    private final ObjectMapper mapper;

    OutboxWriter(OutboxRepository repository, OutboxPublisher publisher, OutboxConfig config,
            ObjectMapper mapper) {
        this.repository = repository;
        this.publisher = publisher;
        this.config = config;
        this.mapper = mapper;
    }

    /** Adds a message in {@code tx}, claimed by this process's publisher, in the trace {@code traceparent}; returns the row. */
    Uni<OutboxMessage> enqueue(SqlConnection tx, NewMessage message, String traceparent) {
        UUID id = UUID.randomUUID();
        String json;
        try {
            json = mapper.writeValueAsString(message.payload());
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException("payload cannot be serialised", e));
        }
        return repository.insert(tx, id, message, json, publisher.publisherId(), config.lease(), traceparent);
    }

    /** Locks, in {@code tx}, the sequence rows of {@code aggregates} for {@code destination}, in one fixed order. */
    Uni<Void> lockSequences(SqlConnection tx, String destination, Collection<String> aggregates) {
        List<String> sorted = new TreeSet<>(aggregates).stream().toList();
        return sorted.isEmpty() ? Uni.createFrom().voidItem() : repository.lockSequences(tx, destination, sorted);
    }
}
