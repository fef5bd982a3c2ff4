package dev.ordersaga.api.saga;

import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.contract.Destinations;
import dev.ordersaga.http.InternalAuth;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.inbox.Inbox;
import dev.ordersaga.outbox.inbox.InboxOutcome;

/** Receives the worker's results (StockReserved, StockRejected, StockReleased) through the inbox. */
@Path("/internal/order-events")
@InternalAuth
public class OrderEventsResource {

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
}
