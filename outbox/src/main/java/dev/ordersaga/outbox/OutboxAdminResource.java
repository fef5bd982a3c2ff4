package dev.ordersaga.outbox;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.http.InternalAuth;
import dev.ordersaga.http.ProblemException;

/** Operators' view of the outbox: list rows by status, requeue dead letters. */
@Path("/admin/outbox")
@InternalAuth
@Produces(MediaType.APPLICATION_JSON)
public class OutboxAdminResource {

    private static final Set<String> STATUSES = Set.of("pending", "in_flight", "failed", "sent", "dead");

    private final OutboxRepository repository;
    private final OutboxPublisher publisher;

    public OutboxAdminResource(OutboxRepository repository, OutboxPublisher publisher) {
        this.repository = repository;
        this.publisher = publisher;
    }

    @GET
    public Uni<List<OutboxMessage>> list(@QueryParam("status") @DefaultValue("dead") String status,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (!STATUSES.contains(status)) {
            throw ProblemException.badRequest("invalid-status", "status must be one of " + STATUSES);
        }
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("invalid-limit", "limit must be between 1 and 1000");
        }
        return repository.list(status, limit);
    }

    /** Gives a dead letter fresh attempts; the publisher picks it up at once. */
    @POST
    @Path("/{id}/requeue")
    public Uni<OutboxMessage> requeue(@PathParam("id") UUID id) {
        return repository.requeue(id)
                .onItem().transformToUni(requeued -> requeued
                        .map(m -> Uni.createFrom().item(m))
                        .orElseGet(() -> notRequeued(id)))
                .invoke(m -> publisher.dispatchIds(List.of(m.id())));
    }

    private Uni<OutboxMessage> notRequeued(UUID id) {
        return repository.find(id)
                .map(found -> {
                    throw found.isPresent()
                            ? new ProblemException(409, "not-dead", "Not a dead letter",
                                    "outbox message " + id + " is " + found.get().status() + ", only dead ones can be requeued")
                            : ProblemException.notFound("outbox message", id);
                });
    }
}
