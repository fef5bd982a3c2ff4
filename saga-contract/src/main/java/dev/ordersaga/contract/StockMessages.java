package dev.ordersaga.contract;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Payloads of the stock saga, shared by sender and receiver so that neither copies the other. */
public final class StockMessages {

    private StockMessages() {
    }

    /** One line of an order: a quantity of one sku. */
    @RegisterForReflection
    public record Line(String sku, int quantity) {
    }

    /** Payload of {@link MessageTypes#RESERVE_STOCK}. */
    @RegisterForReflection
    public record ReserveStock(String orderId, List<Line> items) {
    }

    /** Payload of {@link MessageTypes#RELEASE_STOCK}. */
    @RegisterForReflection
    public record ReleaseStock(String orderId) {
    }

    /**
     * Payload of the worker's answers: {@link MessageTypes#STOCK_RESERVED},
     * {@link MessageTypes#STOCK_REJECTED} (with a reason) and {@link MessageTypes#STOCK_RELEASED}
     * (with whether anything was given back).
     */
    @RegisterForReflection
    public record StockResult(String orderId, String reason, Boolean released) {
    }
}
