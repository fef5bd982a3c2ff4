package dev.ordersaga.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A recorded history of session operations against the api, and a checker of the session
 * guarantees over it.
 *
 * <p>Each session's operations are sequential (it sends the token of one response with the next
 * request). For every session and order the checker keeps the newest version the session has
 * written or been shown, by any read; then:
 * <ul>
 * <li>read your writes and monotonic reads: an {@code auto} read of an order, or of a list that holds
 * it, shows a version at least that newest one (and a list of a customer holds every order of that
 * customer the session knows);</li>
 * <li>a {@code replica} read that shows less is counted as a stale read: the anomaly auto prevents.</li>
 * </ul>
 */
public final class SessionHistory {

    /** What was done: write (create, pay, cancel), read of one order, or list of a customer's orders. */
    public enum Kind {
        WRITE, READ, LIST
    }

    /** One order as a response showed it. */
    public record Seen(String orderId, String customerId, long version) {
    }

    /**
     * One completed operation.
     *
     * @param read auto, primary or replica (null for writes)
     * @param ok whether it succeeded (failed ones show nothing)
     * @param shown the orders the response showed (one for a write or read; any number for a list)
     * @param target the order read ({@code READ}) or the customer listed ({@code LIST})
     */
    public record Op(int session, long invokedNanos, long completedNanos, Kind kind, String read, String target,
            boolean ok, List<Seen> shown, String servedBy, String detail) {
    }

    /** A broken guarantee, with the operation that broke it and what the session knew. */
    public record Violation(String guarantee, Op op, String detail) {
        @Override
        public String toString() {
            return guarantee + ": session " + op.session() + " " + op.kind() + " read=" + op.read() + " of " + op.target()
                    + " served by " + op.servedBy() + ": " + detail;
        }
    }

    /** The verdict. */
    public record Verdict(int operations, int autoReads, int autoFromReplica, int replicaReads, int staleReplicaReads,
            List<Violation> violations) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());

    public void record(Op op) {
        ops.add(op);
    }

    public List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    public Verdict check() {
        Map<Integer, List<Op>> bySession = new HashMap<>();
        for (Op op : ops()) {
            bySession.computeIfAbsent(op.session(), s -> new ArrayList<>()).add(op);
        }
        List<Violation> violations = new ArrayList<>();
        int autoReads = 0;
        int autoFromReplica = 0;
        int replicaReads = 0;
        int stale = 0;
        for (List<Op> session : bySession.values()) {
            session.sort((a, b) -> Long.compare(a.invokedNanos(), b.invokedNanos()));
            Map<String, Seen> known = new HashMap<>();
            for (Op op : session) {
                if (!op.ok()) {
                    continue;
                }
                boolean auto = "auto".equals(op.read());
                boolean replica = "replica".equals(op.read());
                if (op.kind() == Kind.READ || op.kind() == Kind.LIST) {
                    if (auto) {
                        autoReads++;
                        if ("replica".equals(op.servedBy())) {
                            autoFromReplica++;
                        }
                    }
                    if (replica) {
                        replicaReads++;
                    }
                    List<String> problems = compare(op, known);
                    if (!problems.isEmpty()) {
                        if (auto) {
                            problems.forEach(p -> violations.add(new Violation(guarantee(p), op, p)));
                        } else if (replica) {
                            stale++;
                        }
                    }
                }
                for (Seen s : op.shown()) {
                    known.merge(s.orderId(), s, (a, b) -> a.version() >= b.version() ? a : b);
                }
            }
        }
        return new Verdict(ops.size(), autoReads, autoFromReplica, replicaReads, stale, violations);
    }

    private static String guarantee(String problem) {
        return problem.startsWith("missing") ? "read-your-writes" : "monotonic-reads";
    }

    /** What a read showed that is older than, or lacks, what the session knew. */
    private static List<String> compare(Op op, Map<String, Seen> known) {
        List<String> problems = new ArrayList<>();
        if (op.kind() == Kind.READ) {
            Seen k = known.get(op.target());
            if (k == null) {
                return problems;
            }
            Seen got = op.shown().stream().filter(s -> s.orderId().equals(op.target())).findFirst().orElse(null);
            if (got == null) {
                problems.add("missing order " + op.target() + " the session knew at version " + k.version());
            } else if (got.version() < k.version()) {
                problems.add("order " + op.target() + " at version " + got.version() + " after the session knew version "
                        + k.version());
            }
            return problems;
        }
        Map<String, Seen> listed = new HashMap<>();
        op.shown().forEach(s -> listed.put(s.orderId(), s));
        boolean full = op.detail() == null || !op.detail().startsWith("limit-reached");
        for (Seen k : known.values()) {
            if (!Objects.equals(k.customerId(), op.target())) {
                continue;
            }
            Seen got = listed.get(k.orderId());
            if (got == null) {
                if (full) {
                    problems.add("missing order " + k.orderId() + " from the list although the session knew version "
                            + k.version());
                }
            } else if (got.version() < k.version()) {
                problems.add("order " + k.orderId() + " listed at version " + got.version()
                        + " after the session knew version " + k.version());
            }
        }
        return problems;
    }
}
