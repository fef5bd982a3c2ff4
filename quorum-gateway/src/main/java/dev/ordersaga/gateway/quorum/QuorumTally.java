package dev.ordersaga.gateway.quorum;

/**
 * Counts the answers of the replicas to one request and says when the request has its quorum, or
 * can no longer get it. Pure; safe to call from several threads.
 */
public final class QuorumTally {

    /** Where the request stands. */
    public enum Decision {
        /** Not enough answers yet, and enough replicas left to get there. */
        PENDING,
        /** At least {@code required} replicas succeeded. */
        REACHED,
        /** So many failed that {@code required} successes are impossible. */
        FAILED
    }

    private final int replicas;
    private final int required;
    private int succeeded;
    private int failed;

    public QuorumTally(int replicas, int required) {
        if (replicas < 1 || required < 1 || required > replicas) {
            throw new IllegalArgumentException("need 1 <= required <= replicas, got required=" + required
                    + " replicas=" + replicas);
        }
        this.replicas = replicas;
        this.required = required;
    }

    public synchronized Decision success() {
        succeeded++;
        return decision();
    }

    public synchronized Decision failure() {
        failed++;
        return decision();
    }

    public synchronized Decision decision() {
        if (succeeded >= required) {
            return Decision.REACHED;
        }
        if (failed > replicas - required) {
            return Decision.FAILED;
        }
        return Decision.PENDING;
    }

    public synchronized int achieved() {
        return succeeded;
    }

    public int required() {
        return required;
    }

    /** Whether every replica has answered, one way or the other. */
    public synchronized boolean complete() {
        return succeeded + failed == replicas;
    }
}
