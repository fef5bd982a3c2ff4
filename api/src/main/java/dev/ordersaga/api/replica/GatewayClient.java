package dev.ordersaga.api.replica;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** The quorum gateway's key-value API ({@code GATEWAY_URL}), where the order read model lives; calls carry INTERNAL_SECRET. */
@RegisterRestClient(configKey = "gateway")
@Path("/kv")
public interface GatewayClient {

    /** Header carrying the causal context from a read to the write that follows it. */
    String CONTEXT = "X-Context";

    /** 200 with the value, 300 with siblings, 404 when absent (as an exception of the client). */
    @GET
    @Path("/{key}")
    Uni<Response> get(@HeaderParam("Authorization") String authorization, @PathParam("key") String key,
            @QueryParam("r") String r);

    @PUT
    @Path("/{key}")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> put(@HeaderParam("Authorization") String authorization, @PathParam("key") String key,
            @QueryParam("w") String w, @HeaderParam(CONTEXT) String context, byte[] body);
}
