package dev.ordersaga.contract;

/** Where saga messages go: the outbox destination of the sender, and the inbox source at the receiver. */
public final class Destinations {

    /** The worker: ReserveStock and ReleaseStock go there. */
    public static final String WORKER = "worker";
    /** The api: the worker's results go there. */
    public static final String API = "api";

    private Destinations() {
    }
}
