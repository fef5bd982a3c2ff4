package dev.ordersaga.outbox.inbox;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A receiver's answer to a batch: what became of each message (the sender's publisher reads it). */
@RegisterForReflection
public record BatchAnswer(List<BatchResult> results) {
}
