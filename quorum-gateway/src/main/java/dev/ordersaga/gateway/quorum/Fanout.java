package dev.ordersaga.gateway.quorum;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.gateway.node.Stages;

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

    /**
     * Times speculative calls: one daemon thread that only starts calls (they run on their node's
     * event loop). A timer is cancelled, and leaves the queue, as soon as its read's quorum is decided,
     * so the thread wakes only for reads that are still waiting.
     */
    private static final ScheduledThreadPoolExecutor SCHEDULER = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "gateway-speculative-reads");
        t.setDaemon(true);
        return t;
    });

    static {
        SCHEDULER.setRemoveOnCancelPolicy(true);
    }

    private final QuorumTally tally;
    /** Nodes not asked yet (speculative fan-outs only; null when every node is asked at once). */
    private Deque<ReplicaNode> waiting;
    private Function<ReplicaNode, CompletionStage<T>> call;
    private int inFlight;
    /** The pending speculative timer, if any (guarded by this). */
    private ScheduledFuture<?> timer;
    private final List<Answer<T>> answers = new ArrayList<>();
    private final CompletableFuture<List<Answer<T>>> quorum = new CompletableFuture<>();
    private final CompletableFuture<List<Answer<T>>> all = new CompletableFuture<>();

    private Fanout(int nodes, int required) {
        this.tally = new QuorumTally(nodes, required);
    }

    /** Starts the calls; {@code required} may be 0 (then the quorum is reached at once). */
    static <T> Fanout<T> start(List<ReplicaNode> nodes, int required, Function<ReplicaNode, CompletionStage<T>> call) {
        Fanout<T> fanout = new Fanout<>(Math.max(nodes.size(), 1), Math.max(required, 1));
        if (required <= 0) {
            fanout.quorum.complete(List.of());
        }
        if (nodes.isEmpty()) {
            fanout.quorum.complete(List.of());
            fanout.all.complete(List.of());
            return fanout;
        }
        fanout.inFlight = nodes.size();
        for (ReplicaNode node : nodes) {
            fanout.ask(node, call);
        }
        return fanout;
    }

    /**
     * Starts the calls speculatively: {@code required} nodes first, in the order given, and one more
     * each time a call fails or {@code after} passes without the quorum, until every node is asked.
     * {@link #all()} then holds the answers of the nodes that were asked. A zero {@code after}, or
     * {@code required} covering every node, asks every node at once, as {@link #start} does.
     */
    static <T> Fanout<T> startSpeculative(List<ReplicaNode> order, int required, Function<ReplicaNode, CompletionStage<T>> call,
            Duration after) {
        if (after.isZero() || required <= 0 || required >= order.size()) {
            return start(order, required, call);
        }
        Fanout<T> fanout = new Fanout<>(order.size(), required);
        fanout.call = call;
        fanout.waiting = new ArrayDeque<>(order);
        for (int i = 0; i < required; i++) {
            fanout.askNext();
        }
        fanout.speculateAfter(after);
        return fanout;
    }

    private void speculateAfter(Duration after) {
        ScheduledFuture<?> next = SCHEDULER.schedule(() -> {
            boolean more;
            synchronized (this) {
                timer = null;
                more = !quorum.isDone() && !waiting.isEmpty();
            }
            if (more) {
                askNext();
                speculateAfter(after);
            }
        }, after.toNanos(), TimeUnit.NANOSECONDS);
        synchronized (this) {
            if (quorum.isDone()) {
                next.cancel(false);
            } else {
                timer = next;
            }
        }
    }

    /** Asks the next node not yet asked, if any. */
    private void askNext() {
        ReplicaNode node;
        synchronized (this) {
            node = waiting == null ? null : waiting.poll();
            if (node == null) {
                return;
            }
            inFlight++;
        }
        ask(node, call);
    }

    private void ask(ReplicaNode node, Function<ReplicaNode, CompletionStage<T>> call) {
        CompletionStage<T> answer;
        try {
            answer = call.apply(node);
        } catch (RuntimeException e) {
            answer(new Answer<>(node, null, e));
            return;
        }
        answer.whenComplete((value, failure) -> answer(failure == null
                ? new Answer<>(node, value, null)
                : new Answer<>(node, null, Stages.unwrap(failure))));
    }

    private void answer(Answer<T> answer) {
        boolean reached;
        boolean lost;
        boolean complete;
        boolean askAnother;
        List<Answer<T>> snapshot;
        ScheduledFuture<?> decided = null;
        synchronized (this) {
            answers.add(answer);
            inFlight--;
            if (answer.ok()) {
                tally.success();
            } else {
                tally.failure();
            }
            reached = tally.decision() == QuorumTally.Decision.REACHED;
            lost = tally.complete() && !reached;
            askAnother = !answer.ok() && !reached && waiting != null && !waiting.isEmpty();
            // speculative: complete once the quorum is decided and nothing asked is still out
            complete = waiting == null ? tally.complete() : inFlight == 0 && !askAnother && (reached || waiting.isEmpty());
            snapshot = List.copyOf(answers);
            if ((reached || lost) && timer != null) {
                decided = timer;
                timer = null;
            }
        }
        if (decided != null) {
            decided.cancel(false);
        }
        if (reached) {
            quorum.complete(snapshot.stream().filter(Answer::ok).toList());
        } else if (lost) {
            quorum.completeExceptionally(new Lost(snapshot));
        }
        if (askAnother) {
            askNext();
        }
        if (complete) {
            all.complete(snapshot);
        }
    }

    /** The successful answers once {@code required} succeeded; fails with {@link Lost} once that is impossible and all answered. */
    CompletionStage<List<Answer<T>>> quorum() {
        return quorum;
    }

    /** Every answer, once each node answered or failed. */
    CompletionStage<List<Answer<T>>> all() {
        return all;
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
