package dev.ordersaga.api.domain;

import dev.ordersaga.http.ProblemException;

/**
 * Which state an order moves to, and whether its stock must be given back, for each command a
 * client sends and each fact the worker reports. Pure.
 *
 * <pre>
 * PENDING   -> CONFIRMED | REJECTED   (worker's answer)
 * PENDING   -> CANCELLED              (client)
 * CONFIRMED -> PAID | CANCELLED       (client; cancelling releases the stock)
 * </pre>
 *
 * A reservation that arrives for an order already cancelled is released (compensation).
 */
public final class OrderStateMachine {

    /** What a client asks for. */
    public enum Command {
        PAY, CANCEL
    }

    /** What the worker reports. */
    public enum StockEvent {
        RESERVED, REJECTED, RELEASED
    }

    /** The state after a step and whether a ReleaseStock must be sent. */
    public record Decision(OrderStatus next, boolean releaseStock) {

        /** Whether the order's state changes. */
        public boolean changes(OrderStatus current) {
            return next != current;
        }
    }

    private OrderStateMachine() {
    }

    /** A client command; an illegal one is refused with 409. */
    public static Decision onCommand(OrderStatus current, Command command) {
        return switch (command) {
            case PAY -> current == OrderStatus.CONFIRMED
                    ? new Decision(OrderStatus.PAID, false)
                    : illegal(current, command);
            case CANCEL -> switch (current) {
                case PENDING -> new Decision(OrderStatus.CANCELLED, false);
                case CONFIRMED -> new Decision(OrderStatus.CANCELLED, true);
                default -> illegal(current, command);
            };
        };
    }

    /** A worker fact. Facts are never refused: one that no longer matters changes nothing. */
    public static Decision onStockEvent(OrderStatus current, StockEvent event) {
        return switch (event) {
            case RESERVED -> switch (current) {
                case PENDING -> new Decision(OrderStatus.CONFIRMED, false);
                case CANCELLED -> new Decision(OrderStatus.CANCELLED, true);
                default -> new Decision(current, false);
            };
            case REJECTED -> current == OrderStatus.PENDING
                    ? new Decision(OrderStatus.REJECTED, false)
                    : new Decision(current, false);
            case RELEASED -> new Decision(current, false);
        };
    }

    private static Decision illegal(OrderStatus current, Command command) {
        throw new ProblemException(409, "illegal-transition", "Illegal transition",
                "cannot " + command.name().toLowerCase() + " an order that is " + current)
                .with("orderStatus", current.name());
    }
}
