package dev.ordersaga.outbox.inbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;

import dev.ordersaga.http.ProblemException;
import dev.ordersaga.http.logging.LogFields;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.UnitOfWork;
import dev.ordersaga.outbox.transport.CloudEventsBatch;

/**
 * The receiving side of every message: applies each message once, and the messages of one
 * aggregate in sequence order.
 *
 * <p>In one transaction: the message id is recorded (a duplicate id is acknowledged and not
 * applied again); the aggregate's checkpoint is locked; if the message is the next in sequence it
 * is applied, followed by any successors that arrived early; if it is early it waits in the inbox
 * (acknowledged, so the sender moves on, and other aggregates are not held up). The transaction is a
 * {@link UnitOfWork}: outbox messages the handler sent are dispatched after the commit.
 */
@Startup
@ApplicationScoped
public class Inbox {

    /** Times a batch that lost a deadlock or serialization conflict runs again, and the first wait. */
    private static final int CONFLICT_RETRIES = 5;
    private static final Duration CONFLICT_BACKOFF = Duration.ofMillis(10);


    private static final Logger LOG = Logger.getLogger(Inbox.class);

    private final Pool pool;
    private final UnitOfWork work;
    private final InboxRepository repository;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final CloudEventsBatch codec;

    public Inbox(Pool pool, UnitOfWork work, InboxRepository repository, ObjectMapper mapper, MeterRegistry registry,
            Instance<InboxHandler> handlers) {
        this.pool = pool;
        this.work = work;
        this.repository = repository;
        this.mapper = mapper;
        this.registry = registry;
        this.codec = new CloudEventsBatch(mapper);
        // Every counter exists from the start, at zero, for every source this service takes messages from.
        handlers.forEach(h -> {
            registry.counter("inbox.duplicates", "source", h.source());
            registry.counter("inbox.batch.conflicts", "source", h.source());
            for (InboxOutcome.Status status : InboxOutcome.Status.values()) {
                registry.counter("inbox.messages", "source", h.source(), "outcome", status.name().toLowerCase());
            }
        });
        registry.counter("inbox.duplicates", "source", "early-check");
    }

    /** Takes a message from {@code source}; completes once its effect (or its deferral) is committed. */
    public Uni<InboxOutcome> receive(String source, Envelope envelope, InboxHandler handler) {
        validate(envelope);
        String payload;
        try {
            payload = mapper.writeValueAsString(envelope.payload());
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("malformed-message", "payload cannot be read");
        }
        return work.run(tx -> receiveInTransaction(tx, source, envelope, payload, handler))
                .invoke(outcome -> afterCommit(source, envelope, outcome));
    }

    /**
     * Takes a CloudEvents JSON batch ({@link CloudEventsBatch}) from {@code source}: a message of a type
     * outside {@code types} is a poison; the others are taken as {@link #receiveBatch(String, List, InboxHandler)}
     * takes them. The answer names what became of every message.
     */
    public Uni<BatchAnswer> receiveBatch(String source, byte[] body, Set<String> types, InboxHandler handler) {
        List<Envelope> messages = codec.decode(body);
        List<BatchResult> refused = new ArrayList<>();
        List<Envelope> taken = new ArrayList<>();
        for (Envelope m : messages) {
            if (types.contains(m.type())) {
                taken.add(m);
            } else {
                refused.add(BatchResult.poison(m.messageId(), "this endpoint takes " + types + ", not " + m.type()));
            }
        }
        return receiveBatch(source, taken, handler).map(results -> {
            List<BatchResult> all = new ArrayList<>(refused);
            all.addAll(results);
            return new BatchAnswer(all);
        });
    }

    /** The messages of a CloudEvents JSON batch, each id checked; a 400 problem when the body is not one. */
    public List<Envelope> decode(byte[] body) {
        return codec.decode(body);
    }

    /**
     * Takes a batch of messages from {@code source} in one transaction: each message as
     * {@link #receive} takes it, the messages of one aggregate in sequence order, each continuing its
     * own trace in what the handler writes. A message the receiver's rules refuse (a 4xx problem, or an
     * unreadable one) is a poison for itself alone: the transaction is run again without it, and the
     * others commit. Completes, once committed, with what became of each message; fails (and nothing
     * of the batch commits) when something else went wrong, such as the database.
     */
    public Uni<List<BatchResult>> receiveBatch(String source, List<Envelope> messages, InboxHandler handler) {
        List<BatchResult> poisons = new ArrayList<>();
        List<Envelope> valid = new ArrayList<>();
        for (Envelope e : messages) {
            try {
                validate(e);
                valid.add(e);
            } catch (ProblemException problem) {
                poisons.add(BatchResult.poison(e == null ? null : e.messageId(), problem.getMessage()));
            }
        }
        valid.sort(Comparator.comparing(Envelope::aggregateId).thenComparingLong(Envelope::seq));
        return applyBatch(source, valid, handler, poisons);
    }

    /** A transaction PostgreSQL failed to break a deadlock (40P01) or a serialization conflict (40001). */
    static boolean lostAConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()))) {
                return true;
            }
        }
        return false;
    }

    /** Runs the batch in one transaction; a refused message is taken out and the rest run again. */
    private Uni<List<BatchResult>> applyBatch(String source, List<Envelope> messages, InboxHandler handler,
            List<BatchResult> poisons) {
        if (messages.isEmpty()) {
            return Uni.createFrom().item(poisons);
        }
        Map<UUID, String> payloads = new HashMap<>();
        for (Envelope e : messages) {
            try {
                payloads.put(e.messageId(), mapper.writeValueAsString(e.payload()));
            } catch (JsonProcessingException ex) {
                List<Envelope> rest = new ArrayList<>(messages);
                rest.remove(e);
                poisons.add(BatchResult.poison(e.messageId(), "payload cannot be read"));
                return applyBatch(source, rest, handler, poisons);
            }
        }
        return Uni.createFrom().deferred(() -> work.run(tx -> handler.lockAhead(tx, messages)
                .chain(() -> inTurn(tx, source, messages, payloads, handler, 0, new ArrayList<>()))))
                // a deadlock or serialization conflict lost to a concurrent batch: the batch runs again
                .onFailure(Inbox::lostAConflict).invoke(f -> registry.counter("inbox.batch.conflicts", "source", source).increment())
                .onFailure(Inbox::lostAConflict).retry().withBackOff(CONFLICT_BACKOFF, CONFLICT_BACKOFF.multipliedBy(10))
                .atMost(CONFLICT_RETRIES)
                .invoke(results -> {
                    for (int i = 0; i < messages.size(); i++) {
                        afterCommit(source, messages.get(i), results.get(i));
                    }
                })
                .map(results -> {
                    List<BatchResult> answer = new ArrayList<>(poisons);
                    for (int i = 0; i < messages.size(); i++) {
                        answer.add(BatchResult.of(messages.get(i).messageId(), results.get(i)));
                    }
                    return answer;
                })
                .onFailure(Refused.class).recoverWithUni(f -> {
                    Refused refused = (Refused) f;
                    List<Envelope> rest = new ArrayList<>(messages);
                    rest.remove(refused.message);
                    poisons.add(BatchResult.poison(refused.message.messageId(), refused.problem.getMessage()));
                    LOG.debugf("message %s refused in a batch (%s); the rest of the batch runs again",
                            refused.message.messageId(), refused.problem.getMessage());
                    return applyBatch(source, rest, handler, poisons);
                });
    }

    private Uni<List<InboxOutcome>> inTurn(UnitOfWork.Tx tx, String source, List<Envelope> messages,
            Map<UUID, String> payloads, InboxHandler handler, int next, List<InboxOutcome> done) {
        if (next == messages.size()) {
            tx.continueTrace(null);
            return Uni.createFrom().item(done);
        }
        Envelope e = messages.get(next);
        tx.continueTrace(e.traceparent());
        return receiveInTransaction(tx, source, e, payloads.get(e.messageId()), handler)
                .onFailure(f -> f instanceof ProblemException p && p.status() >= 400 && p.status() < 500)
                .transform(f -> new Refused(e, (ProblemException) f))
                .onItem().transformToUni(outcome -> {
                    done.add(outcome);
                    return inTurn(tx, source, messages, payloads, handler, next + 1, done);
                });
    }

    /** A message of a batch that the receiver's rules refuse: the batch's transaction is rolled back and run without it. */
    private static final class Refused extends RuntimeException {
        private final Envelope message;
        private final ProblemException problem;

        Refused(Envelope message, ProblemException problem) {
            super(problem.getMessage(), null, false, false);
            this.message = message;
            this.problem = problem;
        }
    }

    /**
     * Whether this message id was already taken. A receiver that does slow work first can answer a
     * redelivery at once with {@link InboxOutcome.Status#DUPLICATE} instead of doing it again.
     */
    public Uni<Boolean> alreadyReceived(Envelope envelope) {
        validate(envelope);
        return repository.seen(pool, envelope.messageId())
                .invoke(seen -> {
                    if (seen) {
                        registry.counter("inbox.duplicates", "source", "early-check").increment();
                    }
                });
    }

    /** The outcome reported for a message recognised by {@link #alreadyReceived(Envelope)}. */
    public static InboxOutcome duplicate() {
        return InboxOutcome.duplicate();
    }

    private static void validate(Envelope e) {
        if (e == null || e.messageId() == null || e.type() == null || e.type().isBlank()
                || e.aggregateId() == null || e.aggregateId().isBlank() || e.seq() < 1 || e.payload() == null
                || !e.payload().isObject()) {
            throw ProblemException.badRequest("malformed-message",
                    "a message needs messageId, type, aggregateId, seq >= 1 and an object payload");
        }
        if (!plain(e.type(), 64) || !plain(e.aggregateId(), 200) || e.requestId() != null && !plain(e.requestId(), 128)
                || e.payload().toString().contains("\\u0000")) {
            throw ProblemException.badRequest("malformed-message",
                    "type, aggregateId, requestId and payload hold no control characters (such as NUL) and are not too long");
        }
    }

    /** Text without control characters, of at most {@code max} characters. */
    private static boolean plain(String s, int max) {
        if (s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x20 || s.charAt(i) == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Locks the aggregate's checkpoint first, so the message can be recorded with its final status in
     * one insert: applied (next in sequence), waiting (early) or superseded (already passed).
     */
    private Uni<InboxOutcome> receiveInTransaction(UnitOfWork.Tx tx, String source, Envelope envelope,
            String payload, InboxHandler handler) {
        return repository.lockCheckpoint(tx.connection(), source, envelope.aggregateId())
                .onItem().transformToUni(last -> {
                    String status = envelope.seq() == last + 1 ? "applied"
                            : envelope.seq() <= last ? "superseded" : "waiting";
                    return repository.insert(tx.connection(), source, envelope.messageId(), envelope.type(),
                            envelope.aggregateId(), envelope.seq(), payload, envelope.requestId(), status)
                            .onItem().transformToUni(isNew -> {
                                if (!isNew || status.equals("superseded")) {
                                    return Uni.createFrom().item(InboxOutcome.duplicate());
                                }
                                if (status.equals("waiting")) {
                                    return Uni.createFrom().item(InboxOutcome.deferred());
                                }
                                return applyChain(tx, source, envelope, handler, 0);
                            });
                });
    }

    /** Applies {@code envelope} (already recorded as applied), then its waiting successor if there is one, and so on. */
    private Uni<InboxOutcome> applyChain(UnitOfWork.Tx tx, String source, Envelope envelope, InboxHandler handler,
            int appliedSoFar) {
        return handler.apply(tx, envelope)
                .chain(() -> repository.advance(tx.connection(), source, envelope.aggregateId(), envelope.seq()))
                .onItem().transformToUni(next -> next.isPresent()
                        ? repository.markApplied(tx.connection(), next.get().id())
                                .chain(() -> applyChain(tx, source, toEnvelope(next.get()), handler, appliedSoFar + 1))
                        : Uni.createFrom().item(new InboxOutcome(InboxOutcome.Status.APPLIED, appliedSoFar + 1)));
    }

    private Envelope toEnvelope(InboxRepository.WaitingMessage waiting) {
        try {
            return new Envelope(waiting.id(), waiting.type(), waiting.aggregateId(), waiting.seq(),
                    waiting.requestId(), waiting.receivedAt().toInstant(), mapper.readTree(waiting.payload()), null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored inbox payload of " + waiting.id() + " is unreadable", e);
        }
    }

    private void afterCommit(String source, Envelope envelope, InboxOutcome outcome) {
        registry.counter("inbox.messages", "source", source, "outcome", outcome.outcome().name().toLowerCase())
                .increment();
        if (outcome.outcome() == InboxOutcome.Status.DUPLICATE) {
            registry.counter("inbox.duplicates", "source", source).increment();
        }
        LogFields.with(Map.of("messageId", envelope.messageId(), "orderId", envelope.aggregateId()),
                () -> LOG.debugf("%s seq %d from %s: %s", envelope.type(), envelope.seq(), source, outcome.outcome()));
    }
}
