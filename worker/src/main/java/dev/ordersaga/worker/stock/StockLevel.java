package dev.ordersaga.worker.stock;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

/** Units of one sku that can still be reserved, and units held by reservations. */
@RegisterForReflection
public record StockLevel(String sku, long available, long reserved) {

    static StockLevel from(Row row) {
        return new StockLevel(row.getString("sku"), row.getLong("available"), row.getLong("reserved"));
    }
}
