package dev.ordersaga.gateway.quorum;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.ordersaga.gateway.causality.KeyState;

/**
 * Read repair decisions. Pure. A read joins what its R nodes answered; every one of them that
 * answered something else than that join is stale and gets the join written back before the read
 * answers (blocking read repair), so a later read through any gateway never returns less.
 */
public final class ReadRepair {

    private ReadRepair() {
    }

    /** The nodes (keys of {@code answers}) that hold something other than {@code joined}. */
    public static <N> List<N> stale(Map<N, KeyState> answers, KeyState joined) {
        return answers.entrySet().stream().filter(e -> !e.getValue().equals(joined)).map(Map.Entry::getKey).toList();
    }

    /**
     * Whether every node holds the same lone tombstone, accepted at least {@code grace} before
     * {@code nowMillis}, so the key may be removed everywhere (once no node keeps a hint of it).
     */
    public static boolean reapable(List<KeyState> everyNode, int nodes, Duration grace, long nowMillis) {
        return everyNode.size() == nodes && !everyNode.isEmpty() && everyNode.get(0).onlyTombstone()
                && everyNode.stream().allMatch(s -> s.equals(everyNode.get(0)))
                && nowMillis - everyNode.get(0).siblings().get(0).timestamp() >= grace.toMillis();
    }
}
