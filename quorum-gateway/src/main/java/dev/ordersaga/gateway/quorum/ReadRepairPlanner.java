package dev.ordersaga.gateway.quorum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.ordersaga.gateway.store.Siblings;
import dev.ordersaga.gateway.store.Version;

/**
 * Decides which replicas a read must repair: those that answered with something other than the
 * reconciled result (stale, missing or partial). Replicas that did not answer are left to hinted
 * handoff and anti-entropy. Pure.
 */
public final class ReadRepairPlanner {

    private ReadRepairPlanner() {
    }

    /**
     * @param answers each answering replica's versions (an empty list: the key is absent there)
     * @param merged the reconciled versions of all answers
     * @return the replicas to send {@code merged} to
     */
    public static List<Integer> stale(Map<Integer, List<Version>> answers, List<Version> merged) {
        List<Integer> stale = new ArrayList<>();
        answers.forEach((replica, versions) -> {
            if (!Siblings.same(versions, merged)) {
                stale.add(replica);
            }
        });
        stale.sort(Integer::compare);
        return stale;
    }
}
