package dev.ordersaga.api.domain;

/** The life of an order. */
public enum OrderStatus {
    PENDING, CONFIRMED, REJECTED, PAID, CANCELLED
}
