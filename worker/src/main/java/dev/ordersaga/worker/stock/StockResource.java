package dev.ordersaga.worker.stock;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.http.InternalAuth;
import dev.ordersaga.http.ProblemException;

/** Admin view of stock: set what can be reserved, read what is available and reserved. */
@Path("/stock/{sku}")
@InternalAuth
@Produces(MediaType.APPLICATION_JSON)
public class StockResource {

    private final StockRepository stock;

    public StockResource(StockRepository stock) {
        this.stock = stock;
    }

    /** Body of {@code PUT /stock/{sku}}. */
    @RegisterForReflection
    public record SetStock(@NotNull @Min(0) @Max(1_000_000_000L) Long available) {
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<StockLevel> set(@PathParam("sku") @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9._:-]+") String sku,
            @Valid @NotNull SetStock body) {
        return stock.setAvailable(sku, body.available());
    }

    @GET
    public Uni<StockLevel> get(@PathParam("sku") String sku) {
        return stock.find(sku)
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("sku", sku)));
    }
}
