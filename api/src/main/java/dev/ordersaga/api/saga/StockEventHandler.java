package dev.ordersaga.api.saga;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.api.domain.OrderStateMachine;
import dev.ordersaga.api.domain.OrderStateMachine.StockEvent;
import dev.ordersaga.api.orders.OrderService;
import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.contract.StockMessages.StockResult;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.http.logging.LogFields;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.UnitOfWork;
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
    public Uni<Void> apply(UnitOfWork.Tx tx, Envelope envelope) {
        StockEvent event = event(envelope.type());
        StockResult result = envelope.payloadAs(mapper, StockResult.class);
        UUID orderId = orderId(envelope.requireAggregate(result.orderId(), "orderId"));
        return orders.lockForEvent(tx, orderId)
                .onItem().transformToUni(order -> {
                    var decision = OrderStateMachine.onStockEvent(order.status(), event);
                    LogFields.with(Map.of("orderId", orderId, "messageId", envelope.messageId()),
                            () -> LOG.infof("%s: %s -> %s%s", envelope.type(), order.status(), decision.next(),
                                    decision.releaseStock() ? " (releasing stock)" : ""));
                    String reason = event == StockEvent.REJECTED ? result.reason() : null;
                    return orders.change(tx, order, decision, reason, envelope.requestId());
                })
                .replaceWithVoid();
    }

    /** Locks the customers' replica sequences of the batch's orders first, in one order (see {@link OrderService#lockAheadForEvents}). */
    @Override
    public Uni<Void> lockAhead(UnitOfWork.Tx tx, List<Envelope> batch) {
        List<UUID> ids = new ArrayList<>();
        for (Envelope envelope : batch) {
            try {
                ids.add(UUID.fromString(envelope.aggregateId()));
            } catch (IllegalArgumentException unreadable) {
                // refused with its reason when it is applied
            }
        }
        return orders.lockAheadForEvents(tx, ids);
    }

    private static StockEvent event(String type) {
        return switch (type) {
            case MessageTypes.STOCK_RESERVED -> StockEvent.RESERVED;
            case MessageTypes.STOCK_REJECTED -> StockEvent.REJECTED;
            case MessageTypes.STOCK_RELEASED -> StockEvent.RELEASED;
            default -> throw ProblemException.badRequest("unknown-message-type", "unknown message type '" + type + "'");
        };
    }

    private static UUID orderId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("malformed-message", "orderId is not a UUID");
        }
    }
}
