package dev.ordersaga.api.saga;

import java.util.Set;

import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.http.InternalAuth;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.inbox.BatchAnswer;
import dev.ordersaga.outbox.inbox.Inbox;
import dev.ordersaga.outbox.inbox.InboxOutcome;
import dev.ordersaga.outbox.transport.CloudEventsBatch;

/** Receives the worker's results (StockReserved, StockRejected, StockReleased) through the inbox. */
@Path("/internal/order-events")
@InternalAuth
public class OrderEventsResource {

    private static final Set<String> TYPES = Set.of(MessageTypes.STOCK_RESERVED, MessageTypes.STOCK_REJECTED,
            MessageTypes.STOCK_RELEASED);

    private final Inbox inbox;
    private final StockEventHandler handler;

    public OrderEventsResource(Inbox inbox, StockEventHandler handler) {
        this.inbox = inbox;
        this.handler = handler;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<InboxOutcome> receive(@NotNull Envelope envelope) {
        return inbox.receive(Destinations.WORKER, envelope, handler);
    }

    /**
     * A batch of the worker's results (a CloudEvents JSON batch), taken in one transaction; the answer
     * says what became of each message.
     */
    @POST
    @Consumes(CloudEventsBatch.MEDIA_TYPE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<BatchAnswer> receiveBatch(byte[] body) {
        return inbox.receiveBatch(Destinations.WORKER, body, TYPES, handler);
    }
}
