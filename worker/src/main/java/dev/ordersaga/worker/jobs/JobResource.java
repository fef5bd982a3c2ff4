package dev.ordersaga.worker.jobs;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;

import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.http.InternalAuth;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.inbox.BatchAnswer;
import dev.ordersaga.outbox.inbox.Inbox;
import dev.ordersaga.outbox.inbox.InboxOutcome;
import dev.ordersaga.outbox.transport.CloudEventsBatch;

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

    private static final Set<String> TYPES = Set.of(MessageTypes.RESERVE_STOCK, MessageTypes.RELEASE_STOCK);

    private final Inbox inbox;
    private final ReservationService reservations;
    private final SimulationConfig config;

    public JobResource(Inbox inbox, ReservationService reservations, SimulationConfig config) {
        this.inbox = inbox;
        this.reservations = reservations;
        this.config = config;
    }

    /**
     * A batch of the api's commands (a CloudEvents JSON batch), taken in one transaction; the answer
     * says what became of each. Like a single job, the batch is finished even when the caller stops
     * waiting; a batch of which every message was taken before is answered at once, however slow the
     * jobs are.
     */
    @POST
    @Consumes(CloudEventsBatch.MEDIA_TYPE)
    public Uni<BatchAnswer> batch(byte[] body) {
        Uni<Boolean> redelivery = config.slowWorkerMs() > 0
                ? Multi.createFrom().iterable(inbox.decode(body))
                        .onItem().transformToUniAndConcatenate(inbox::alreadyReceived)
                        .collect().asList().map(seen -> !seen.contains(false))
                : Uni.createFrom().item(false);
        return detached(redelivery.onItem().transformToUni(seen -> {
            Uni<BatchAnswer> taken = Uni.createFrom().deferred(
                    () -> inbox.receiveBatch(Destinations.API, body, TYPES, reservations));
            return seen ? taken : slowly(taken);
        }));
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

    /** Delays the start of a job, or of a batch of jobs, by {@code SIM_SLOW_WORKER_MS} (seed experiment C). */
    private <T> Uni<T> slowly(Uni<T> job) {
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
        return detached(redelivery
                .onItem().transformToUni(seen -> seen
                        ? Uni.createFrom().item(Inbox.duplicate())
                        : slowly(Uni.createFrom().deferred(() -> inbox.receive(Destinations.API, envelope, reservations)))));
    }

    /** Runs {@code job} detached from the HTTP exchange: a caller that gives up does not cancel it. */
    private static <T> Uni<T> detached(Uni<T> job) {
        var result = job.subscribeAsCompletionStage();
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
