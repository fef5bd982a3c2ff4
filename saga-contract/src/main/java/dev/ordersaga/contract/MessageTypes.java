package dev.ordersaga.contract;

/** Names of the messages exchanged by the api and the worker. */
public final class MessageTypes {

    /** api to worker: reserve every item of an order, or none. */
    public static final String RESERVE_STOCK = "ReserveStock";
    /** api to worker: give back what an order reserved. */
    public static final String RELEASE_STOCK = "ReleaseStock";
    /** worker to api: the order's items are reserved. */
    public static final String STOCK_RESERVED = "StockReserved";
    /** worker to api: the order could not be reserved; carries the reason. */
    public static final String STOCK_REJECTED = "StockRejected";
    /** worker to api: a reservation was given back (or there was none to give back). */
    public static final String STOCK_RELEASED = "StockReleased";

    private MessageTypes() {
    }
}
