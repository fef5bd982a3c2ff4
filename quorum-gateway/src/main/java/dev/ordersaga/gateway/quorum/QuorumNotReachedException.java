package dev.ordersaga.gateway.quorum;

import java.util.List;

import dev.ordersaga.http.ProblemException;

/** Fewer replicas answered than the request needed: 503 with the required and achieved counts. */
public class QuorumNotReachedException extends ProblemException {

    public QuorumNotReachedException(String operation, int required, int achieved, List<String> failedNodes) {
        super(503, "quorum-not-reached", "Quorum not reached",
                operation + " needed " + required + " replica(s) and " + achieved + " answered in time");
        with("required", required);
        with("achieved", achieved);
        with("failedNodes", failedNodes);
    }
}
