package dev.ordersaga.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.ws.rs.NameBinding;

/**
 * Marks endpoints that only other services and operators may call: the request must carry
 * {@code Authorization: Bearer <INTERNAL_SECRET>}. See {@link InternalAuthFilter}.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface InternalAuth {
}
