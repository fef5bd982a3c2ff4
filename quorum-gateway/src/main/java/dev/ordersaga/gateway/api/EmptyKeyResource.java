package dev.ordersaga.gateway.api;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import dev.ordersaga.http.ProblemException;

/** {@code /kv} and {@code /kv/} name no key: a clear 400 rather than a bare 404 or 405. */
@Path("/kv")
public class EmptyKeyResource {

    @PUT
    public void put() {
        throw empty();
    }

    @GET
    public void get() {
        throw empty();
    }

    @DELETE
    public void delete() {
        throw empty();
    }

    private static ProblemException empty() {
        return ProblemException.badRequest("invalid-key", "the key must not be empty: use /kv/{key}");
    }
}
