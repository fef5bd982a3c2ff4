package dev.ordersaga.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A recorded history of client operations against the quorum gateway, checked against a
 * multi-value register: each key holds a set of concurrent values; a write carrying the context of
 * an earlier read replaces exactly the values that read returned (and, through them, everything
 * those had replaced); a write without a context replaces nothing.
 *
 * <p>Every write writes a unique value. An operation ends {@link Outcome#OK}, {@link Outcome#FAILED}
 * (definitely not applied: refused before anything was written, e.g. 400 or 409) or
 * {@link Outcome#UNKNOWN} (503, a timeout or a lost connection: it may or may not have been applied,
 * now or later). The checks:
 * <ol>
 * <li><b>no lost write</b>: every acknowledged write is in the final read (made after healing with
 * every node), or was replaced by a write that is in it, directly or through a chain of writes each
 * of whose readers saw the one before;</li>
 * <li><b>no stale read</b>: every read contains every write acknowledged before the read began, or a
 * value that replaced it in the same sense;</li>
 * <li><b>no phantom</b>: every value a read returns was written by an operation invoked before the
 * read completed;</li>
 * <li><b>register</b> (keys with one writer that always writes with the context of its own last
 * read): besides the above, no acknowledged value is ever shown beside a later acknowledged one.</li>
 * <li><b>no resurrection</b>: a value an acknowledged delete replaced (a delete is a write of a
 * tombstone, with the context of a read, that reads never show) is never shown by a read begun after
 * the delete was acknowledged, nor in the final read.</li>
 * </ol>
 * A delete's tombstone stands in for what it replaced: a value replaced by a delete that may have
 * taken effect (acknowledged, or of unknown outcome, and begun before the read ended) is no longer
 * owed to a read, nor to the final read.
 * Safe to record from many threads.
 */
public final class KvHistory {

    /** How an operation ended. */
    public enum Outcome {
        OK, FAILED, UNKNOWN
    }

    /**
     * One operation. For a write: {@code value} is the value written and {@code observed} the values
     * the read whose context it carried had returned (empty for a write without context). For a read:
     * {@code returned} are the values it showed (empty for 404).
     */
    public record Op(int id, String client, String key, boolean write, long invokedNanos, long completedNanos,
            Outcome outcome, String value, Set<String> observed, Set<String> returned, String detail, boolean delete) {
    }

    /** A broken property, and the operation that shows it. */
    public record Violation(String property, Op op, String detail) {
        @Override
        public String toString() {
            return property + " on " + op.key() + ": op " + op.id() + " by " + op.client() + " ("
                    + (op.write() ? "write " + op.value() : "read " + op.returned()) + "): " + detail;
        }
    }

    private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Set<String>> finalValues = Collections.synchronizedMap(new HashMap<>());
    private final Set<String> registerKeys = Collections.synchronizedSet(new HashSet<>());
    private final AtomicInteger ids = new AtomicInteger();

    public Op write(String client, String key, long invoked, long completed, Outcome outcome, String value,
            Set<String> observed, String detail) {
        Op op = new Op(ids.incrementAndGet(), client, key, true, invoked, completed, outcome, value, Set.copyOf(observed),
                Set.of(), detail, false);
        ops.add(op);
        return op;
    }

    /** A delete with the context of a read that showed {@code observed}; {@code tombstone} names it (reads never show it). */
    public Op delete(String client, String key, long invoked, long completed, Outcome outcome, String tombstone,
            Set<String> observed, String detail) {
        Op op = new Op(ids.incrementAndGet(), client, key, true, invoked, completed, outcome, tombstone,
                Set.copyOf(observed), Set.of(), detail, true);
        ops.add(op);
        return op;
    }

    public Op read(String client, String key, long invoked, long completed, Outcome outcome, Set<String> returned,
            String detail) {
        Op op = new Op(ids.incrementAndGet(), client, key, false, invoked, completed, outcome, null, Set.of(),
                Set.copyOf(returned), detail, false);
        ops.add(op);
        return op;
    }

    /** The values of a key after healing, read from every node. */
    public void finalRead(String key, Set<String> values) {
        finalValues.put(key, Set.copyOf(values));
    }

    /** Marks a key as written by one client that always writes with the context of its own last read. */
    public void register(String key) {
        registerKeys.add(key);
    }

    public List<Op> ops() {
        synchronized (ops) {
            return List.copyOf(ops);
        }
    }

    public long count(boolean write, Outcome outcome) {
        return ops().stream().filter(o -> o.write() == write && o.outcome() == outcome).count();
    }

    /** Every violation of the properties above. */
    public List<Violation> check() {
        List<Violation> violations = new ArrayList<>();
        Map<String, List<Op>> byKey = new HashMap<>();
        ops().forEach(o -> byKey.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(o));
        byKey.forEach((key, keyOps) -> checkKey(key, keyOps, violations));
        return violations;
    }

    private void checkKey(String key, List<Op> keyOps, List<Violation> violations) {
        Map<String, Op> writes = new HashMap<>();
        for (Op o : keyOps) {
            if (o.write()) {
                writes.put(o.value(), o);
            }
        }
        Map<String, Set<String>> replaced = new HashMap<>();
        List<Op> acked = keyOps.stream().filter(o -> o.write() && !o.delete() && o.outcome() == Outcome.OK).toList();
        List<Op> deletes = keyOps.stream().filter(o -> o.delete() && o.outcome() != Outcome.FAILED).toList();
        Set<String> end = finalValues.get(key);
        if (end != null) {
            Set<String> accounted = accounted(end, writes, replaced);
            deletes.forEach(d -> accounted.addAll(accounted(Set.of(d.value()), writes, replaced)));
            for (Op d : deletes) {
                if (d.outcome() == Outcome.OK) {
                    for (String v : accounted(Set.of(d.value()), writes, replaced)) {
                        if (end.contains(v)) {
                            violations.add(new Violation("resurrection", d, "the final read " + end + " shows " + v
                                    + ", which this acknowledged delete replaced"));
                        }
                    }
                }
            }
            for (Op w : acked) {
                if (!accounted.contains(w.value())) {
                    violations.add(new Violation("lost write", w, "acknowledged, and neither in the final read " + end
                            + " nor replaced by a write that is"));
                }
            }
        }
        for (Op r : keyOps) {
            if (r.write() || r.outcome() != Outcome.OK) {
                continue;
            }
            for (String v : r.returned()) {
                Op w = writes.get(v);
                if (w == null || w.invokedNanos() > r.completedNanos()) {
                    violations.add(new Violation("phantom", r, "returned " + v + ", which no write invoked before it wrote"));
                }
            }
            Set<String> accounted = accounted(r.returned(), writes, replaced);
            for (Op d : deletes) {
                if (d.invokedNanos() < r.completedNanos()) {
                    accounted.addAll(accounted(Set.of(d.value()), writes, replaced));
                }
                if (d.outcome() == Outcome.OK && d.completedNanos() < r.invokedNanos()) {
                    for (String v : accounted(Set.of(d.value()), writes, replaced)) {
                        if (r.returned().contains(v)) {
                            violations.add(new Violation("resurrection", r, "shows " + v + ", which delete " + d.id()
                                    + " (acknowledged before the read began) replaced"));
                        }
                    }
                }
            }
            for (Op w : acked) {
                if (w.completedNanos() < r.invokedNanos() && !accounted.contains(w.value())) {
                    violations.add(new Violation("stale read", r, "misses " + w.value()
                            + ", acknowledged before the read began, and every value that replaced it"));
                }
            }
            if (registerKeys.contains(key)) {
                for (String shown : r.returned()) {
                    Op w = writes.get(shown);
                    if (w == null || w.outcome() != Outcome.OK) {
                        continue;
                    }
                    for (String other : r.returned()) {
                        Op later = writes.get(other);
                        if (later != null && later != w && later.outcome() == Outcome.OK
                                && later.invokedNanos() > w.completedNanos()) {
                            violations.add(new Violation("register", r, "shows " + shown + " beside " + other
                                    + ", written after it was acknowledged by the same writer"));
                        }
                    }
                }
            }
        }
    }

    /** {@code values} and everything they replaced, transitively. */
    private static Set<String> accounted(Set<String> values, Map<String, Op> writes, Map<String, Set<String>> memo) {
        Set<String> out = new HashSet<>(values);
        for (String v : values) {
            out.addAll(replacedBy(v, writes, memo));
        }
        return out;
    }

    private static Set<String> replacedBy(String value, Map<String, Op> writes, Map<String, Set<String>> memo) {
        Set<String> known = memo.get(value);
        if (known != null) {
            return known;
        }
        Set<String> result = new HashSet<>();
        memo.put(value, result);
        Op w = writes.get(value);
        if (w != null) {
            for (String o : w.observed()) {
                result.add(o);
                result.addAll(replacedBy(o, writes, memo));
            }
        }
        return result;
    }
}
