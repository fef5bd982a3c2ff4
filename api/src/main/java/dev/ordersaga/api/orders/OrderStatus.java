package dev.ordersaga.api.orders;

/** The life of an order. */
public enum OrderStatus {
    PENDING, CONFIRMED, REJECTED, PAID, CANCELLED
}
