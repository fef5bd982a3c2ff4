package dev.ordersaga.api.orders;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestResponse;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.messaging.http.ProblemException;
import dev.ordersaga.messaging.http.RequestIds;

/** HTTP face of orders: create, read, list, pay, cancel. */
@Path("/orders")
@Produces(MediaType.APPLICATION_JSON)
public class OrderResource {

    private final OrderService service;

    public OrderResource(OrderService service) {
        this.service = service;
    }

    /** Accepts the order as PENDING at once (202), whether or not the worker is reachable. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Order>> create(@Valid @NotNull CreateOrderRequest request,
            @RestHeader("Idempotency-Key") String idempotencyKey) {
        String key = OrderService.key(idempotencyKey).orElse(null);
        if (key != null && key.length() > 200) {
            throw ProblemException.badRequest("invalid-idempotency-key", "Idempotency-Key is longer than 200 characters");
        }
        return service.create(request, key, RequestIds.current())
                .map(created -> RestResponse.ResponseBuilder.<Order>create(RestResponse.Status.ACCEPTED)
                        .location(URI.create("/orders/" + created.order().id()))
                        .header("Idempotent-Replayed", String.valueOf(created.replayed()))
                        .entity(created.order())
                        .build());
    }

    @GET
    @Path("/{id}")
    public Uni<Order> get(@PathParam("id") String id) {
        return service.get(parse(id));
    }

    @GET
    public Uni<List<Order>> list(@QueryParam("customerId") String customerId,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (customerId == null || customerId.isBlank()) {
            throw ProblemException.badRequest("missing-customer", "query parameter customerId is required");
        }
        if (limit < 1 || limit > OrderLimits.MAX_LIST) {
            throw ProblemException.badRequest("invalid-limit", "limit must be between 1 and " + OrderLimits.MAX_LIST);
        }
        return service.byCustomer(customerId, limit);
    }

    @POST
    @Path("/{id}/pay")
    public Uni<Order> pay(@PathParam("id") String id) {
        return service.apply(parse(id), OrderStateMachine.Command.PAY, RequestIds.current());
    }

    @POST
    @Path("/{id}/cancel")
    public Uni<Order> cancel(@PathParam("id") String id) {
        return service.apply(parse(id), OrderStateMachine.Command.CANCEL, RequestIds.current());
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("order", id);
        }
    }
}
