package dev.ordersaga.api.saga;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

import dev.ordersaga.api.orders.OrderService;
import dev.ordersaga.api.orders.OrderStateMachine;
import dev.ordersaga.api.orders.OrderStateMachine.StockEvent;
import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.contract.StockMessages.StockResult;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.http.logging.LogFields;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.OutboxMessage;
import dev.ordersaga.outbox.inbox.InboxHandler;

/** Applies the worker's answers to orders, inside the inbox's transaction. */
@ApplicationScoped
public class StockEventHandler implements InboxHandler {

    private static final Logger LOG = Logger.getLogger(StockEventHandler.class);

    private final OrderService orders;
    private final ObjectMapper mapper;

    public StockEventHandler(OrderService orders, ObjectMapper mapper) {
        this.orders = orders;
        this.mapper = mapper;
    }

    @Override
    public String source() {
        return Destinations.WORKER;
    }

    @Override
    public Uni<List<OutboxMessage>> apply(SqlConnection tx, Envelope envelope) {
        StockEvent event = event(envelope.type());
        StockResult result = payload(envelope);
        UUID orderId = orderId(envelope, result);
        List<OutboxMessage> enqueued = new ArrayList<>();
        return orders.lockForEvent(tx, orderId)
                .onItem().transformToUni(order -> {
                    var decision = OrderStateMachine.onStockEvent(order.status(), event);
                    LogFields.with(java.util.Map.of("orderId", orderId, "messageId", envelope.messageId()),
                            () -> LOG.infof("%s: %s -> %s%s", envelope.type(), order.status(), decision.next(),
                                    decision.releaseStock() ? " (releasing stock)" : ""));
                    String reason = event == StockEvent.REJECTED ? result.reason() : null;
                    return orders.change(tx, order, decision, reason, envelope.requestId(), enqueued);
                })
                .replaceWith(enqueued);
    }

    private static StockEvent event(String type) {
        return switch (type) {
            case MessageTypes.STOCK_RESERVED -> StockEvent.RESERVED;
            case MessageTypes.STOCK_REJECTED -> StockEvent.REJECTED;
            case MessageTypes.STOCK_RELEASED -> StockEvent.RELEASED;
            default -> throw ProblemException.badRequest("unknown-message-type", "unknown message type '" + type + "'");
        };
    }

    private StockResult payload(Envelope envelope) {
        try {
            return mapper.treeToValue(envelope.payload(), StockResult.class);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-message", "payload is not a stock result: " + e.getOriginalMessage());
        }
    }

    private static UUID orderId(Envelope envelope, StockResult result) {
        if (result.orderId() == null || !result.orderId().equals(envelope.aggregateId())) {
            throw ProblemException.badRequest("malformed-message", "payload orderId must equal aggregateId");
        }
        try {
            return UUID.fromString(result.orderId());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("malformed-message", "orderId is not a UUID");
        }
    }
}
