package dev.ordersaga.http;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/** Rejects calls to {@link InternalAuth} endpoints that do not carry the shared secret, before any work. */
@Provider
@InternalAuth
@Priority(Priorities.AUTHENTICATION)
public class InternalAuthFilter implements ContainerRequestFilter {

    private final InternalSecret secret;

    public InternalAuthFilter(InternalSecret secret) {
        this.secret = secret;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!secret.accepts(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            throw new ProblemException(401, "unauthorized", "Unauthorized",
                    "this endpoint needs 'Authorization: Bearer <INTERNAL_SECRET>'");
        }
    }
}
