package dev.ordersaga.gateway.node;

/**
 * Why a command to a node failed, as far as it matters to a write: whether the node may still have
 * applied it.
 */
public class NodeFailure extends RuntimeException {

    private final boolean maybeApplied;

    NodeFailure(String message, boolean maybeApplied, Throwable cause) {
        super(message, cause, false, false);
        this.maybeApplied = maybeApplied;
    }

    /** The command was sent and no answer came within the node timeout: the node may apply it yet. */
    static NodeFailure timedOut(String url) {
        return new NodeFailure("no answer from " + url + " within the node timeout", true, null);
    }

    /** No connection could be had: the command was never sent. */
    static NodeFailure unreachable(String url, Throwable cause) {
        return new NodeFailure(url + " unreachable: " + cause, false, cause);
    }

    /** The node refused a write that reached it after its deadline: nothing was written. */
    public static NodeFailure late(String url) {
        return new NodeFailure(url + " received the write after its deadline and did not apply it", false, null);
    }

    /** Whether the node may have applied the command (or may still do so). */
    public boolean maybeApplied() {
        return maybeApplied;
    }
}
