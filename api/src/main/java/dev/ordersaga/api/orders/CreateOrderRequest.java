package dev.ordersaga.api.orders;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.ordersaga.api.domain.OrderLimits;

/**
 * Body of {@code POST /orders}. The customer is the caller (the subject of its token);
 * {@code customerId} may be left out, and when given it must name the caller (any other value is a 403).
 */
@RegisterForReflection
public record CreateOrderRequest(
        @Size(min = 1, max = 128) String customerId,
        @NotNull @Size(min = 1, max = OrderLimits.MAX_ITEMS) List<@NotNull @Valid Item> items) {

    /** One line: a positive quantity of one sku. */
    @RegisterForReflection
    public record Item(
            @NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9._:-]*", message = "letters, digits and ._:- only") String sku,
            @NotNull @Min(1) @Max(OrderLimits.MAX_QUANTITY) Integer quantity) {
    }
}
