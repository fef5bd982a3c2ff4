package dev.ordersaga.outbox;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import dev.ordersaga.http.logging.LogFields;

/**
 * Sends outbox rows to their destinations. It claims due rows as a lease (so two publishers never
 * send the same row at once, and rows of a publisher that died are claimed again once the lease
 * ends), sends each through the destination's {@link MessageTransport}, then marks it sent, due
 * again after a backoff, or dead.
 *
 * <p>It runs right after each commit ({@link #dispatch(List)}) and on a schedule
 * ({@code outbox.poll-every}) for everything else.
 */
@Startup
@ApplicationScoped
public class OutboxPublisher {

    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);

    private final OutboxRepository repository;
    private final Tracer tracer;
    private final OutboxConfig config;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final Map<String, GuardedTransport> transports = new HashMap<>();
    private final Map<String, DeliveryLane> lanes = new HashMap<>();
    /** Destinations whose last delivery failed: the next success makes their backlog due at once. */
    private final Map<String, AtomicBoolean> failing = new ConcurrentHashMap<>();
    /** When each destination's breaker last opened (nanoTime), while it is not closed. */
    private final Map<String, Long> openedAt = new ConcurrentHashMap<>();
    /** Destinations with a repeated trial scheduled (one at a time). */
    private final Map<String, AtomicBoolean> trialScheduled = new ConcurrentHashMap<>();
    private final Backoff backoff;
    private final String publisherId;
    private final Timer publishLag;
    private final Counter published;
    private final Counter deadLettered;
    private final Counter cleanedUp;
    private static final int MAX_CLEANUP_BATCHES = 100;
    private final Vertx vertx;
    private final long renewTimer;
    private final AtomicBoolean renewing = new AtomicBoolean();
    /** How soon a trial that found the breaker still open (its clock a little behind ours) is made again. */
    private static final Duration TRIAL_AGAIN = Duration.ofMillis(100);

    public OutboxPublisher(OutboxRepository repository, OutboxConfig config, ObjectMapper mapper,
            MeterRegistry registry, Instance<MessageTransport> transports, Tracer tracer, Vertx vertx) {
        this.tracer = tracer;
        this.repository = repository;
        this.config = config;
        this.mapper = mapper;
        this.registry = registry;
        transports.forEach(t -> {
            this.transports.put(t.destination(), new GuardedTransport(t, config.maxInFlight(),
                    state -> breakerChanged(t.destination(), t.guards().breakerDelay(), state)));
            this.lanes.put(t.destination(), new DeliveryLane(config.maxInFlight(), Math.min(config.batchMax(), Math.max(1, t.maxBatch())), config.batchBytes(),
                    batch -> sendBatch(t.destination(), batch)));
            // Every counter exists from the start, at zero, so dashboards and alerts see it before its first event.
            for (ErrorKind kind : ErrorKind.values()) {
                registry.counter("outbox.delivery.failures", "destination", t.destination(), "errorKind", kind.label());
            }
            registry.counter("outbox.retries.past.limit", "destination", t.destination());
        });
        this.backoff = new Backoff(config.backoffBase(), config.backoffCap());
        this.publisherId = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
        this.publishLag = Timer.builder("outbox.publish.lag")
                .description("Time from an outbox row's commit to its acknowledged delivery")
                .publishPercentileHistogram()
                .register(registry);
        this.published = Counter.builder("outbox.published").register(registry);
        this.deadLettered = Counter.builder("outbox.dead.lettered").register(registry);
        this.cleanedUp = Counter.builder("outbox.retention.deleted")
                .description("Sent outbox rows and processed inbox rows deleted after OUTBOX_RETENTION").register(registry);
        this.vertx = vertx;
        this.renewTimer = vertx.setPeriodic(Math.max(100, config.lease().toMillis() / 3), id -> renewLeases());
    }

    @PreDestroy
    void stopRenewing() {
        vertx.cancelTimer(renewTimer);
    }

    /**
     * Every third of a lease, renews the claims of every message the lanes hold (waiting for a send
     * slot or in flight): a backlog that takes longer than a lease to send is not claimed again, by
     * this publisher or another, while it is on its way. A publisher that dies stops renewing, and its
     * rows are claimed again once their lease ends.
     */
    private void renewLeases() {
        List<UUID> held = new ArrayList<>();
        lanes.values().forEach(lane -> held.addAll(lane.ids()));
        if (held.isEmpty() || !renewing.compareAndSet(false, true)) {
            return;
        }
        repository.renew(held, publisherId, config.lease())
                .onTermination().invoke(() -> renewing.set(false))
                .subscribe().with(n -> LOG.debugf("renewed the lease of %d messages on their way", n),
                        f -> LOG.warnf("renewing the lease of %d messages on their way failed (another publisher may"
                                + " send them too; receivers take them as duplicates): %s", held.size(), f.toString()));
    }

    /** This publisher's claim owner name (process and instance). */
    public String publisherId() {
        return publisherId;
    }

    /**
     * First attempt for rows this process just committed (they were written claimed by it); runs in
     * the background and never fails the caller.
     */
    public void dispatch(List<OutboxMessage> born) {
        if (born.isEmpty()) {
            return;
        }
        deliverAll(born)
                .subscribe().with(
                        count -> {
                        },
                        failure -> LOG.warnf("immediate dispatch failed, the poller will retry: %s", failure.toString()));
    }

    /** Claims rows that are pending and due (e.g. just requeued) and sends them now. */
    public void dispatchIds(List<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        repository.claimIds(ids, publisherId, config.lease())
                .onItem().transformToUni(this::deliverAll)
                .subscribe().with(
                        count -> {
                        },
                        failure -> LOG.warnf("immediate dispatch failed, the poller will retry: %s", failure.toString()));
    }

    /** Claims and sends due rows, batch after batch, until fewer than a full batch was due. */
    @Scheduled(every = "{outbox.poll-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public Uni<Void> poll() {
        return publishDue(10)
                .onFailure().invoke(f -> LOG.warnf("outbox poll failed: %s", f.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One claim-and-send round of at most {@code maxBatches} batches; returns how many rows it handled. */
    public Uni<Integer> publishDue(int maxBatches) {
        return repository.claimDue(config.batchSize(), publisherId, config.lease())
                .onItem().transformToUni(batch -> deliverAll(batch)
                        .onItem().transformToUni(count -> batch.size() == config.batchSize() && maxBatches > 1
                                ? publishDue(maxBatches - 1).map(more -> count + more)
                                : Uni.createFrom().item(count)));
    }

    /**
     * Retention: deletes sent outbox rows and processed inbox rows older than {@code OUTBOX_RETENTION},
     * {@code OUTBOX_CLEANUP_BATCH} at a time and batch after batch until none is left (at most
     * {@value #MAX_CLEANUP_BATCHES} batches a run), every {@code OUTBOX_CLEANUP_EVERY}: so the tables
     * stay flat at any sustained rate below batch × batches per run.
     */
    @Scheduled(every = "{outbox.cleanup-every}", delayed = "{outbox.cleanup-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> deleteOldRows() {
        return cleanUp(MAX_CLEANUP_BATCHES)
                .onFailure().invoke(f -> LOG.warnf("outbox and inbox clean-up failed, will retry: %s", f.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Deletes expired outbox and inbox rows in batches; returns how many rows went. */
    public Uni<Long> cleanUp(int maxBatches) {
        return cleanUp(repository::deleteSentBefore, maxBatches)
                .onItem().transformToUni(outbox -> cleanUp(repository::deleteInboxBefore, maxBatches)
                        .map(inbox -> outbox + inbox))
                .invoke(n -> {
                    if (n > 0) {
                        cleanedUp.increment(n);
                        LOG.debugf("retention deleted %d outbox and inbox rows", n);
                    }
                });
    }

    private Uni<Long> cleanUp(BiFunction<Duration, Integer, Uni<Integer>> delete, int batchesLeft) {
        int batch = config.cleanupBatch();
        return delete.apply(config.retention(), batch)
                .onItem().transformToUni(n -> n == batch && batchesLeft > 1
                        ? cleanUp(delete, batchesLeft - 1).map(more -> n + more)
                        : Uni.createFrom().item((long) n));
    }

    /**
     * Sends claimed rows: a poison is dead-lettered at once, the others join their destination's lane
     * (after what is left of their hold-back) and leave in its next batches. Completes, with how many
     * rows there were, once every row's outcome is recorded; never fails.
     */
    private Uni<Integer> deliverAll(List<OutboxMessage> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        Map<String, List<DeliveryLane.Item>> now = new LinkedHashMap<>();
        for (OutboxMessage row : rows) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            pending.add(done);
            DeliveryLane.Item item = prepare(row, done);
            if (item == null) {
                continue;
            }
            Duration wait = heldBack(row, transports.get(row.destination()).transport().holdBack());
            if (wait.isZero()) {
                now.computeIfAbsent(row.destination(), d -> new ArrayList<>()).add(item);
            } else {
                Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                        .subscribe().with(v -> lanes.get(row.destination()).offer(List.of(item)));
            }
        }
        now.forEach((destination, items) -> lanes.get(destination).offer(items));
        return Uni.createFrom().completionStage(CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)))
                .replaceWith(rows.size());
    }

    /**
     * A row ready to join its lane; null when it can never be delivered (no transport, unknown type,
     * unreadable payload): it is then dead-lettered without a call, and {@code done} completes after.
     */
    private DeliveryLane.Item prepare(OutboxMessage row, CompletableFuture<Void> done) {
        GuardedTransport guarded = transports.get(row.destination());
        DeliveryFailure poison = null;
        Envelope envelope = null;
        if (guarded == null) {
            poison = new DeliveryFailure(ErrorKind.POISON, false, "no transport for destination '" + row.destination() + "'");
        } else if (!guarded.transport().types().contains(row.type())) {
            poison = new DeliveryFailure(ErrorKind.POISON, false,
                    "unknown message type '" + row.type() + "' for destination '" + row.destination() + "'");
        } else {
            try {
                envelope = envelope(row);
            } catch (JsonProcessingException e) {
                poison = new DeliveryFailure(ErrorKind.POISON, false, "unreadable payload: " + e.getOriginalMessage());
            }
        }
        if (poison != null) {
            deadLetter(row, poison).subscribe().with(v -> done.complete(null), f -> done.complete(null));
            return null;
        }
        return new DeliveryLane.Item(row, envelope, row.payload() == null ? 0 : row.payload().length() + 256, done);
    }

    /**
     * One batch to one destination, in one guarded call: each message's delivery is a span of the trace
     * that wrote its row (a new trace for a row written outside any span), whose context travels with
     * the message (the CloudEvents {@code traceparent} extension). Then records what became of each
     * message: those the receiver took are marked sent in one statement; never fails.
     */
    private Uni<Void> sendBatch(String destination, List<DeliveryLane.Item> items) {
        if (!openedAt.containsKey(destination)) {
            return sendBatch(destination, items, false);
        }
        // The breaker is not closed: this batch is its trial. One message goes; the others wait for
        // the trial's outcome without a call (the breaker closing sends them all).
        DeliveryFailure waiting = new DeliveryFailure(ErrorKind.CIRCUIT_OPEN, true, "waiting for the breaker's trial");
        Uni<Void> parked = items.size() == 1 ? Uni.createFrom().voidItem()
                : Multi.createFrom().iterable(items.subList(1, items.size()))
                        .onItem().transformToUniAndMerge(item -> onFailure(item.row(), waiting, false))
                        .collect().last().replaceWithVoid();
        return Uni.join().all(parked, sendBatch(destination, items.subList(0, 1), true)).andCollectFailures()
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** A batch in one call; {@code trial}: made while the breaker was not closed, a failure costs no attempt. */
    private Uni<Void> sendBatch(String destination, List<DeliveryLane.Item> items, boolean trial) {
        GuardedTransport guarded = transports.get(destination);
        List<Span> spans = new ArrayList<>(items.size());
        List<Envelope> envelopes = new ArrayList<>(items.size());
        for (DeliveryLane.Item item : items) {
            OutboxMessage row = item.row();
            Span span = tracer.spanBuilder("deliver " + row.type())
                    .setParent(TraceContext.parent(row.traceparent()))
                    .setSpanKind(SpanKind.PRODUCER)
                    .setAttribute("messaging.destination.name", row.destination())
                    .setAttribute("messaging.message.id", row.id().toString())
                    .setAttribute("messaging.batch.message_count", items.size())
                    .setAttribute("ordersaga.aggregate.id", row.aggregateId())
                    .setAttribute("ordersaga.attempt", row.attempts())
                    .startSpan();
            spans.add(span);
            envelopes.add(item.envelope().withTraceparent(TraceContext.traceparent(span)));
        }
        DeliveryLane lane = lanes.get(destination);
        return guarded.deliver(envelopes)
                .invoke(results -> lane.answered())
                .onItem().transformToUni(results -> recordBatch(items, results, spans))
                .onFailure().recoverWithUni(failure -> {
                    DeliveryFailure classified = FailureClassifier.classify(failure);
                    if (classified.kind() == ErrorKind.TIMEOUT) {
                        lane.timedOut(items.size());
                    }
                    spans.forEach(span -> span.setStatus(StatusCode.ERROR, classified.kind().label()));
                    if (classified.kind() == ErrorKind.CIRCUIT_OPEN) {
                        refusedByOpenBreaker(destination);
                    }
                    return Multi.createFrom().iterable(items)
                            .onItem().transformToUniAndMerge(item -> onFailure(item.row(), classified, trial))
                            .collect().last().replaceWithVoid();
                })
                .onTermination().invoke(() -> spans.forEach(Span::end))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Marks what the receiver took as sent (one statement), dead-letters its poisons, and retries the rest. */
    private Uni<Void> recordBatch(List<DeliveryLane.Item> items, List<MessageResult> results, List<Span> spans) {
        Map<UUID, MessageResult> byId = new HashMap<>();
        results.forEach(r -> byId.put(r.messageId(), r));
        List<OutboxMessage> taken = new ArrayList<>();
        List<Uni<Void>> others = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            OutboxMessage row = items.get(i).row();
            MessageResult result = byId.get(row.id());
            if (result != null && result.status() == MessageResult.Status.TAKEN) {
                taken.add(row);
            } else if (result != null && result.status() == MessageResult.Status.POISON) {
                spans.get(i).setStatus(StatusCode.ERROR, ErrorKind.POISON.label());
                others.add(deadLetter(row, new DeliveryFailure(ErrorKind.POISON, false, result.detail())));
            } else {
                DeliveryFailure failure = result == null
                        ? new DeliveryFailure(ErrorKind.UNKNOWN, true, "the receiver's answer did not name this message")
                        : FailureClassifier.classify(result.failure());
                spans.get(i).setStatus(StatusCode.ERROR, failure.kind().label());
                others.add(onFailure(row, failure, false));
            }
        }
        Uni<Void> sent = taken.isEmpty() ? Uni.createFrom().voidItem() : markSent(taken);
        return others.isEmpty() ? sent : sent.chain(() -> Uni.join().all(others).andCollectFailures().replaceWithVoid());
    }

    /** What is left of a transport's hold-back for a row, counted from the row's creation. */
    private static Duration heldBack(OutboxMessage message, Duration holdBack) {
        if (holdBack.isZero() || holdBack.isNegative() || message.createdAt() == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(Instant.now(), message.createdAt().toInstant().plus(holdBack));
        return left.isNegative() ? Duration.ZERO : left;
    }

    private Envelope envelope(OutboxMessage message) throws JsonProcessingException {
        JsonNode payload = mapper.readTree(message.payload());
        if (payload == null || payload.isMissingNode()) {
            throw new JsonParseException(null, "empty payload");
        }
        Instant occurredAt = message.createdAt() == null ? Instant.now() : message.createdAt().toInstant();
        return new Envelope(message.id(), message.type(), message.aggregateId(), message.seq(),
                message.requestId(), occurredAt, payload, message.traceparent());
    }

    private Uni<Void> markSent(List<OutboxMessage> rows) {
        Map<UUID, OutboxMessage> byId = new HashMap<>();
        rows.forEach(r -> byId.put(r.id(), r));
        return repository.markSent(List.copyOf(byId.keySet()))
                .invoke(lags -> lags.forEach((id, lag) -> recordSent(byId.get(id), Optional.of(lag))))
                .invoke(lags -> recovered(rows.get(0).destination()))
                .onFailure().invoke(f -> LOG.warnf("marking %d delivered messages sent failed (they are sent again after"
                        + " their lease; the receivers' inboxes take them as duplicates): %s", rows.size(), f.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * A destination that failed answers again (a delivery succeeded while its breaker stayed closed):
     * rows waiting out their backoff for it become due now and are sent at once, so a healed
     * partition does not wait for the longest backoff. The destination's in-flight bound still applies.
     */
    private void recovered(String destination) {
        var flag = failing.get(destination);
        if (flag == null || !flag.compareAndSet(true, false)) {
            return;
        }
        sendBacklog(destination, "answers again");
    }

    /**
     * Follows a destination's circuit breaker. When it opens, a trial is sent as soon as its delay
     * is over (rather than at the next poll or backoff), and when that trial succeeds and the breaker
     * closes, every row waiting for the destination is sent at once. While it stays open, each failed
     * trial opens it again and schedules the next one, so a healed destination is noticed within one
     * call timeout plus one breaker delay.
     */
    private void breakerChanged(String destination, Duration breakerDelay, CircuitBreakerState state) {
        switch (state) {
            case OPEN -> {
                LOG.infof("circuit breaker to %s open: deliveries wait %d ms for a trial", destination,
                        breakerDelay.toMillis());
                openedAt.put(destination, System.nanoTime());
                scheduleTrial(destination, breakerDelay);
            }
            case HALF_OPEN -> LOG.debugf("circuit breaker to %s half open: one trial delivery", destination);
            case CLOSED -> {
                LOG.infof("circuit breaker to %s closed", destination);
                openedAt.remove(destination);
                failing.computeIfAbsent(destination, d -> new AtomicBoolean()).set(false);
                sendBacklog(destination, "breaker closed");
            }
        }
    }

    /**
     * Sends a trial after {@code delay}, the destination's oldest waiting message: it closes the breaker
     * (which then sends the whole backlog) or opens it again.
     * The breaker counts its delay on its own clock: a trial that still finds it open
     * ({@link #refusedByOpenBreaker}) is made again shortly, so the trials never stop while it is open.
     */
    private void scheduleTrial(String destination, Duration delay) {
        Uni.createFrom().voidItem().onItem().delayIt().by(delay)
                .subscribe().with(v -> sendTrial(destination, "trial after the breaker delay"),
                        f -> LOG.warnf("trial delivery to %s failed to start: %s", destination, f.toString()));
    }

    /** Milliseconds until the destination's breaker lets a trial through (0 when it is closed or due). */
    private long breakerDelayLeft(String destination) {
        Long opened = openedAt.get(destination);
        GuardedTransport guarded = transports.get(destination);
        if (opened == null || guarded == null) {
            return 0;
        }
        long left = guarded.transport().guards().breakerDelay().toNanos() - (System.nanoTime() - opened);
        return Math.max(0, left / 1_000_000);
    }

    /** A delivery the open breaker refused: when its delay is over already, the next trial comes shortly. */
    private void refusedByOpenBreaker(String destination) {
        Long opened = openedAt.get(destination);
        GuardedTransport guarded = transports.get(destination);
        if (opened != null && guarded != null
                && System.nanoTime() - opened >= guarded.transport().guards().breakerDelay().toNanos()) {
            AtomicBoolean scheduled = trialScheduled.computeIfAbsent(destination, d -> new AtomicBoolean());
            if (scheduled.compareAndSet(false, true)) {
                Uni.createFrom().voidItem().onItem().delayIt().by(TRIAL_AGAIN)
                        .subscribe().with(v -> {
                            scheduled.set(false);
                            sendTrial(destination, "trial again: the breaker was still open");
                        }, f -> scheduled.set(false));
            }
        }
    }

    /** Makes the destination's oldest waiting row due now and sends what is due: the breaker's trial. */
    private void sendTrial(String destination, String why) {
        repository.oldestDueNow(destination)
                .invoke(n -> LOG.debugf("%s (%s): %d waiting message made due", destination, why, n))
                .onItem().transformToUni(n -> publishDue(1))
                .subscribe().with(n -> {
                }, f -> LOG.warnf("the trial delivery to %s failed to start, the poller will retry: %s", destination,
                        f.toString()));
    }

    /** Makes every waiting row of the destination due now and sends what is due, batch after batch. */
    private void sendBacklog(String destination, String why) {
        repository.dueNow(destination)
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("%s (%s): %d waiting messages are due now", destination, why, n);
                    }
                })
                .onItem().transformToUni(n -> publishDue(10))
                .subscribe().with(n -> {
                }, f -> LOG.warnf("sending the backlog of %s failed, the poller will retry: %s", destination, f.toString()));
    }

    private void recordSent(OutboxMessage message, Optional<Duration> lag) {
        published.increment();
        lag.ifPresent(publishLag::record);
        LogFields.with(fields(message, null), () -> LOG.debugf("outbox message %s sent", message.type()));
    }

    /**
     * Records a failed delivery: dead-lettered, or retried after its backoff. {@code trial}: the call
     * was the breaker's trial, which costs the message no attempt, so an outage of any length costs a
     * message only the attempts made before the breaker opened.
     */
    private Uni<Void> onFailure(OutboxMessage message, DeliveryFailure failure, boolean trial) {
        registry.counter("outbox.delivery.failures", "destination", message.destination(),
                "errorKind", failure.kind().label()).increment();
        // An open breaker or no free slot means no call was made: that is no attempt, and no reason to give up.
        boolean called = !failure.kind().notAttempted();
        boolean notAttempted = !called || trial;
        GuardedTransport guarded = transports.get(message.destination());
        boolean untilDelivered = guarded != null && guarded.transport().retriesUntilDelivered() && !failure.messageFault();
        boolean pastLimit = !notAttempted && message.attempts() >= config.maxAttempts();
        if (!untilDelivered && (!failure.retryable() || pastLimit)) {
            DeliveryFailure last = failure.retryable()
                    ? new DeliveryFailure(failure.kind(), false,
                            "gave up after " + message.attempts() + " attempts: " + failure.detail())
                    : failure;
            return deadLetter(message, last);
        }
        if (called) {
            failing.computeIfAbsent(message.destination(), d -> new AtomicBoolean()).set(true);
        }
        long backedOff = backoff.delayMillis(message.attempts(), ThreadLocalRandom.current()::nextDouble);
        // The breaker's trial and its closing send a message it refused; before its delay is over, trying again is no use.
        long delay = failure.kind() == ErrorKind.CIRCUIT_OPEN
                ? Math.max(backedOff, breakerDelayLeft(message.destination()))
                : backedOff;
        if (untilDelivered && (pastLimit || !failure.retryable())) {
            registry.counter("outbox.retries.past.limit", "destination", message.destination()).increment();
            LogFields.with(fields(message, failure), () -> LOG.errorf(
                    "delivery of %s to %s failed %d times (%s); %s is retried until delivered, next in %d ms",
                    message.type(), message.destination(), message.attempts(), failure.detail(), message.destination(),
                    delay));
        } else if (!called) {
            // no call was made (the breaker is open, or no slot): the breaker's own log says why
            LogFields.with(fields(message, failure), () -> LOG.debugf(
                    "delivery of %s to %s not tried (%s), retry in %d ms", message.type(), message.destination(),
                    failure.detail(), delay));
        } else {
            LogFields.with(fields(message, failure), () -> LOG.warnf(
                    "%s of %s to %s failed (%s), retry in %d ms", trial ? "trial delivery" : "delivery",
                    message.type(), message.destination(), failure.detail(), delay));
        }
        return repository.markRetry(message.id(), publisherId, delay, failure, notAttempted)
                .onFailure().recoverWithNull();
    }

    private Uni<Void> deadLetter(OutboxMessage message, DeliveryFailure failure) {
        deadLettered.increment();
        LogFields.with(fields(message, failure), () -> LOG.errorf(
                "outbox message %s to %s dead-lettered: %s", message.type(), message.destination(), failure.detail()));
        return repository.markDead(message.id(), failure)
                .onFailure().recoverWithNull();
    }

    private static Map<String, Object> fields(OutboxMessage message, DeliveryFailure failure) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("messageId", message.id());
        fields.put("aggregateId", message.aggregateId());
        fields.put("orderId", message.aggregateId());
        fields.put("requestId", message.requestId());
        fields.put("traceId", TraceContext.traceId(message.traceparent()));
        fields.put("attempt", message.attempts());
        fields.put("errorKind", failure == null ? null : failure.kind().label());
        return fields;
    }
}
