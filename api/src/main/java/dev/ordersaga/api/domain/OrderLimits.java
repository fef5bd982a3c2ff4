package dev.ordersaga.api.domain;

/** Bounds on what one order may hold, so that one request cannot become an unbounded reservation. */
public final class OrderLimits {

    /** Lines per order. */
    public static final int MAX_ITEMS = 50;
    /** Units per line. */
    public static final int MAX_QUANTITY = 10_000;
    /** Orders returned by one list call. */
    public static final int MAX_LIST = 500;
    /** Orders a list returns when no limit is asked for. */
    public static final int DEFAULT_LIST = 100;

    private OrderLimits() {
    }
}
