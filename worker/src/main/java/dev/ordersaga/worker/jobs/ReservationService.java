package dev.ordersaga.worker.jobs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.contract.StockMessages.Line;
import dev.ordersaga.contract.StockMessages.ReleaseStock;
import dev.ordersaga.contract.StockMessages.ReserveStock;
import dev.ordersaga.contract.StockMessages.StockResult;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.http.logging.LogFields;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.NewMessage;
import dev.ordersaga.outbox.UnitOfWork;
import dev.ordersaga.outbox.inbox.InboxHandler;
import dev.ordersaga.worker.stock.StockLevel;
import dev.ordersaga.worker.stock.StockRepository;

/**
 * Reserves and releases stock. Each runs inside the inbox's transaction and writes its result
 * message to the worker's outbox in that same transaction: the api hears of every reservation
 * exactly as it was committed.
 */
@ApplicationScoped
public class ReservationService implements InboxHandler {

    private static final Logger LOG = Logger.getLogger(ReservationService.class);

    private final StockRepository stock;
    private final ObjectMapper mapper;

    public ReservationService(StockRepository stock, ObjectMapper mapper) {
        this.stock = stock;
        this.mapper = mapper;
    }

    /**
     * Applies one command by its type. Used for every message of an order, including those that
     * waited in the inbox for their predecessors, whichever endpoint they came through.
     */
    @Override
    public String source() {
        return Destinations.API;
    }

    @Override
    public Uni<Void> apply(UnitOfWork.Tx tx, Envelope envelope) {
        return switch (envelope.type()) {
            case MessageTypes.RESERVE_STOCK -> reserve(tx, envelope);
            case MessageTypes.RELEASE_STOCK -> release(tx, envelope);
            default -> throw ProblemException.badRequest("unknown-message-type",
                    "unknown message type '" + envelope.type() + "'");
        };
    }

    /**
     * Locks, in sku order, every stock row the batch's commands will move (the lines of each
     * reservation, the held lines of each release) before any is applied: two batches of reservations
     * over the same skus in another order would otherwise deadlock. A command that cannot be read
     * locks nothing here; it is refused when it is applied.
     */
    @Override
    public Uni<Void> lockAhead(UnitOfWork.Tx tx, List<Envelope> batch) {
        TreeSet<String> skus = new TreeSet<>();
        List<String> releases = new ArrayList<>();
        for (Envelope envelope : batch) {
            try {
                if (MessageTypes.RESERVE_STOCK.equals(envelope.type())) {
                    ReserveStock command = envelope.payloadAs(mapper, ReserveStock.class);
                    if (command != null && command.items() != null) {
                        command.items().stream().filter(l -> l != null && l.sku() != null).forEach(l -> skus.add(l.sku()));
                    }
                } else if (MessageTypes.RELEASE_STOCK.equals(envelope.type())) {
                    ReleaseStock command = envelope.payloadAs(mapper, ReleaseStock.class);
                    if (command != null && command.orderId() != null) {
                        releases.add(command.orderId());
                    }
                }
            } catch (RuntimeException unreadable) {
                // refused with its reason when it is applied
            }
        }
        Uni<List<String>> held = releases.isEmpty() ? Uni.createFrom().item(List.of())
                : stock.reservedSkus(tx.connection(), releases);
        return held.chain(more -> {
            skus.addAll(more);
            return skus.isEmpty() ? Uni.createFrom().voidItem()
                    : stock.lock(tx.connection(), List.copyOf(skus)).replaceWithVoid();
        });
    }

    /** Reserves every line of the order, or none, and reports StockReserved or StockRejected. */
    Uni<Void> reserve(UnitOfWork.Tx tx, Envelope envelope) {
        ReserveStock command = envelope.payloadAs(mapper, ReserveStock.class);
        List<Line> lines = validLines(envelope, command);
        return stock.lockReservation(tx.connection(), command.orderId())
                .onItem().transformToUni(existing -> existing.isPresent()
                        ? Uni.createFrom().voidItem()
                        : reserveNew(tx, envelope, command.orderId(), lines));
    }

    private Uni<Void> reserveNew(UnitOfWork.Tx tx, Envelope envelope, String orderId, List<Line> lines) {
        return stock.lock(tx.connection(), lines.stream().map(Line::sku).toList())
                .onItem().transformToUni(levels -> {
                    Optional<String> shortage = shortage(lines, levels);
                    if (shortage.isPresent()) {
                        log(envelope, "rejected: " + shortage.get());
                        return stock.insertReservation(tx.connection(), orderId, lines, "REJECTED", shortage.get())
                                .chain(() -> report(tx, envelope, MessageTypes.STOCK_REJECTED,
                                        new StockResult(orderId, shortage.get(), null)));
                    }
                    log(envelope, "reserved " + lines.size() + " line(s)");
                    return stock.move(tx.connection(), lines, 1)
                            .chain(() -> stock.insertReservation(tx.connection(), orderId, lines, "RESERVED", null))
                            .chain(() -> report(tx, envelope, MessageTypes.STOCK_RESERVED,
                                    new StockResult(orderId, null, null)));
                });
    }

    /** Gives back what the order reserved, if it still holds a reservation, and reports StockReleased. */
    Uni<Void> release(UnitOfWork.Tx tx, Envelope envelope) {
        ReleaseStock command = envelope.payloadAs(mapper, ReleaseStock.class);
        String orderId = envelope.requireAggregate(command.orderId(), "orderId");
        return stock.lockReservation(tx.connection(), orderId)
                .onItem().transformToUni(reservation -> {
                    if (reservation.isEmpty() || !"RESERVED".equals(reservation.get().status())) {
                        log(envelope, "nothing to release");
                        return report(tx, envelope, MessageTypes.STOCK_RELEASED, new StockResult(orderId, null, false));
                    }
                    log(envelope, "released " + reservation.get().items().size() + " line(s)");
                    return stock.move(tx.connection(), reservation.get().items(), -1)
                            .chain(() -> stock.setReservationStatus(tx.connection(), orderId, "RELEASED"))
                            .chain(() -> report(tx, envelope, MessageTypes.STOCK_RELEASED,
                                    new StockResult(orderId, null, true)));
                });
    }

    private Uni<Void> report(UnitOfWork.Tx tx, Envelope cause, String type, StockResult result) {
        return tx.send(new NewMessage(Destinations.API, type, result.orderId(), result, cause.requestId()))
                .replaceWithVoid();
    }

    static Optional<String> shortage(List<Line> lines, List<StockLevel> levels) {
        Map<String, Long> available = new HashMap<>();
        levels.forEach(l -> available.put(l.sku(), l.available()));
        List<String> problems = new ArrayList<>();
        for (Line line : lines) {
            Long have = available.get(line.sku());
            if (have == null) {
                problems.add("unknown sku " + line.sku());
            } else if (have < line.quantity()) {
                problems.add("insufficient stock for " + line.sku() + " (requested " + line.quantity()
                        + ", available " + have + ")");
            }
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    private static List<Line> validLines(Envelope envelope, ReserveStock command) {
        envelope.requireAggregate(command.orderId(), "orderId");
        if (command.items() == null || command.items().isEmpty() || command.items().size() > 100) {
            throw ProblemException.badRequest("malformed-message", "a reservation needs 1 to 100 items");
        }
        var skus = new HashSet<String>();
        for (Line line : command.items()) {
            if (line == null || line.sku() == null || line.sku().isBlank() || line.quantity() < 1
                    || !skus.add(line.sku())) {
                throw ProblemException.badRequest("malformed-message",
                        "every item needs a distinct sku and a quantity of at least 1");
            }
        }
        return command.items();
    }

    private static void log(Envelope envelope, String what) {
        LogFields.with(Map.of("orderId", envelope.aggregateId(), "messageId", envelope.messageId()),
                () -> LOG.infof("%s for order %s: %s", envelope.type(), envelope.aggregateId(), what));
    }
}
