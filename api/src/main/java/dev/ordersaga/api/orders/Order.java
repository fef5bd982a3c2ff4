package dev.ordersaga.api.orders;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

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

    static Order from(Row row) {
        List<Line> items = row.getJsonArray("items").stream()
                .map(JsonObject.class::cast)
                .map(o -> new Line(o.getString("sku"), o.getInteger("quantity")))
                .toList();
        return new Order(
                row.getUUID("id"),
                row.getString("customer_id"),
                OrderStatus.valueOf(row.getString("status")),
                row.getLong("version"),
                items,
                row.getString("reason"),
                row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"));
    }
}
