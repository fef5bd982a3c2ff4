package dev.ordersaga.outbox;

/**
 * A message to be written to the outbox in the caller's transaction.
 *
 * @param destination who receives it (a {@link MessageTransport#destination()})
 * @param type the message type, e.g. {@code ReserveStock}
 * @param aggregateId the aggregate it concerns; messages of one aggregate are numbered in order
 * @param payload any Jackson-serialisable value
 * @param requestId the request that caused it, kept for the asynchronous path (may be null)
 */
public record NewMessage(String destination, String type, String aggregateId, Object payload, String requestId) {
}
