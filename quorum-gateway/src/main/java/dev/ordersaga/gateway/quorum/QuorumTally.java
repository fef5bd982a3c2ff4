package dev.ordersaga.gateway.quorum;

/**
 * Counts the answers of the replicas to one request and says when the request has its quorum, or
 * can no longer get it. Pure; not thread-safe (its user synchronises).
 */
public final class QuorumTally {

    /** Where the request stands. */
    public enum Decision {
        /** Not enough answers yet, and enough replicas left to get there. */
        PENDING,
        /** At least {@code required} replicas succeeded. */
        REACHED,
        /** So many failed that {@code required} successes are impossible. */
        LOST
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

    public Decision success() {
        succeeded++;
        return decision();
    }

    public Decision failure() {
        failed++;
        return decision();
    }

    public Decision decision() {
        if (succeeded >= required) {
            return Decision.REACHED;
        }
        if (failed > replicas - required) {
            return Decision.LOST;
        }
        return Decision.PENDING;
    }

    public int achieved() {
        return succeeded;
    }

    public int required() {
        return required;
    }

    /** Whether every replica has answered, one way or the other. */
    public boolean complete() {
        return succeeded + failed == replicas;
    }
}
