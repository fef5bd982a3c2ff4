package dev.ordersaga.worker.jobs;

import java.time.Duration;
import java.util.concurrent.CompletionException;

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
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.inbox.Inbox;
import dev.ordersaga.outbox.inbox.InboxOutcome;

/**
 * Stock commands from the api, taken through the inbox (idempotent by message id, in order per
 * order). A job is finished even when the caller stops waiting for it: a timeout on the api's side
 * does not undo the work, which is why the api's retry must be (and is) harmless.
 */
@Path("/jobs")
@InternalAuth
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    private final Inbox inbox;
    private final ReservationService reservations;
    private final SimulationConfig config;

    public JobResource(Inbox inbox, ReservationService reservations, SimulationConfig config) {
        this.inbox = inbox;
        this.reservations = reservations;
        this.config = config;
    }

    @POST
    @Path("/reserve-stock")
    public Uni<InboxOutcome> reserveStock(@NotNull Envelope envelope) {
        return run(envelope, MessageTypes.RESERVE_STOCK);
    }

    @POST
    @Path("/release-stock")
    public Uni<InboxOutcome> releaseStock(@NotNull Envelope envelope) {
        return run(envelope, MessageTypes.RELEASE_STOCK);
    }

    /** Delays the start of a job by {@code SIM_SLOW_WORKER_MS} (seed experiment C). */
    private Uni<InboxOutcome> slowly(Uni<InboxOutcome> job) {
        if (config.slowWorkerMs() <= 0) {
            return job;
        }
        return Uni.createFrom().voidItem()
                .onItem().delayIt().by(Duration.ofMillis(config.slowWorkerMs()))
                .chain(() -> job);
    }

    private Uni<InboxOutcome> run(Envelope envelope, String expectedType) {
        if (!expectedType.equals(envelope.type())) {
            throw ProblemException.badRequest("wrong-message-type",
                    "this endpoint takes " + expectedType + ", not " + envelope.type());
        }
        // A redelivery of a job already done is answered at once, however slow the job itself is.
        Uni<Boolean> redelivery = config.slowWorkerMs() > 0
                ? inbox.alreadyReceived(envelope)
                : Uni.createFrom().item(false);
        var result = redelivery
                .onItem().transformToUni(seen -> seen
                        ? Uni.createFrom().item(Inbox.duplicate())
                        : slowly(Uni.createFrom().deferred(() -> inbox.receive(Destinations.API, envelope, reservations))))
                .subscribeAsCompletionStage();
        // Detached from the HTTP exchange: a caller that gives up does not cancel the job.
        return Uni.createFrom().emitter(emitter -> result.whenComplete((outcome, failure) -> {
            if (failure != null) {
                emitter.fail(failure instanceof CompletionException c && c.getCause() != null
                        ? c.getCause()
                        : failure);
            } else {
                emitter.complete(outcome);
            }
        }));
    }
}
