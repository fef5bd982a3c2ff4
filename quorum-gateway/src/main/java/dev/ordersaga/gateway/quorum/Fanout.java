package dev.ordersaga.gateway.quorum;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.gateway.node.ReplicaNode;

/**
 * Sends one call to several nodes at once and reports twice: as soon as {@code required} of them
 * succeeded ({@link #quorum()}; or, once every node has answered, that they could not), and when
 * every node has answered or failed ({@link #all()}), for the work that follows a request off its
 * response path (hints, repairs of late nodes).
 */
final class Fanout<T> {

    /** One node's answer: a value, or the failure. */
    record Answer<T>(ReplicaNode node, T value, Throwable failure) {
        boolean ok() {
            return failure == null;
        }
    }

    private final QuorumTally tally;
    private final List<Answer<T>> answers = new ArrayList<>();
    private final CompletableFuture<List<Answer<T>>> quorum = new CompletableFuture<>();
    private final CompletableFuture<List<Answer<T>>> all = new CompletableFuture<>();

    private Fanout(int nodes, int required) {
        this.tally = new QuorumTally(nodes, required);
    }

    /** Starts the calls; {@code required} may be 0 (then the quorum is reached at once). */
    static <T> Fanout<T> start(List<ReplicaNode> nodes, int required, Function<ReplicaNode, Uni<T>> call) {
        Fanout<T> fanout = new Fanout<>(Math.max(nodes.size(), 1), Math.max(required, 1));
        if (required <= 0) {
            fanout.quorum.complete(List.of());
        }
        if (nodes.isEmpty()) {
            fanout.quorum.complete(List.of());
            fanout.all.complete(List.of());
            return fanout;
        }
        for (ReplicaNode node : nodes) {
            call.apply(node).subscribe().with(
                    value -> fanout.answer(new Answer<>(node, value, null)),
                    failure -> fanout.answer(new Answer<>(node, null, failure)));
        }
        return fanout;
    }

    private void answer(Answer<T> answer) {
        boolean reached;
        boolean complete;
        List<Answer<T>> snapshot;
        synchronized (this) {
            answers.add(answer);
            if (answer.ok()) {
                tally.success();
            } else {
                tally.failure();
            }
            reached = tally.decision() == QuorumTally.Decision.REACHED;
            complete = tally.complete();
            snapshot = List.copyOf(answers);
        }
        if (reached) {
            quorum.complete(snapshot.stream().filter(Answer::ok).toList());
        } else if (complete) {
            quorum.completeExceptionally(new Lost(snapshot));
        }
        if (complete) {
            all.complete(snapshot);
        }
    }

    /** The successful answers once {@code required} succeeded; fails with {@link Lost} once that is impossible and all answered. */
    Uni<List<Answer<T>>> quorum() {
        return Uni.createFrom().completionStage(quorum);
    }

    /** Every answer, once each node answered or failed. */
    Uni<List<Answer<T>>> all() {
        return Uni.createFrom().completionStage(all);
    }

    /** Not enough nodes succeeded; carries every answer. */
    static final class Lost extends RuntimeException {
        final transient List<? extends Answer<?>> answers;

        Lost(List<? extends Answer<?>> answers) {
            super(null, null, false, false);
            this.answers = answers;
        }

        int achieved() {
            return (int) answers.stream().filter(Answer::ok).count();
        }

        List<String> failedNodes() {
            return answers.stream().filter(a -> !a.ok()).map(a -> a.node().url()).toList();
        }
    }
}
