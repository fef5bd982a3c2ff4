package dev.ordersaga.gateway.node;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * The node calls of a request run on plain {@link CompletionStage}s (each Mutiny operator would cost
 * an allocation and a subscription per node call); these helpers cross to Mutiny where a caller works
 * with {@link Uni}, and recover the failure a stage was completed with.
 */
public final class Stages {

    private Stages() {
    }

    /** The failure itself, without the {@link CompletionException} a dependent stage wraps it in. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A lazy Uni of a stage: the call starts on subscription, and fails with the unwrapped failure. */
    public static <T> Uni<T> uni(Supplier<? extends CompletionStage<? extends T>> call) {
        return Uni.createFrom().emitter(emitter -> {
            CompletionStage<? extends T> stage;
            try {
                stage = call.get();
            } catch (RuntimeException e) {
                emitter.fail(e);
                return;
            }
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    emitter.fail(unwrap(failure));
                } else {
                    emitter.complete(value);
                }
            });
        });
    }
}
