package dev.ordersaga.api.domain;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.ordersaga.contract.StockMessages.Line;

/** An order as the api owns it and shows it. {@code version} grows by one with every change. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Order(
        UUID id,
        String customerId,
        OrderStatus status,
        long version,
        List<Line> items,
        String reason,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {
}
