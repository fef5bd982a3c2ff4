package dev.ordersaga.api.replica;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/** The quorum gateway's key-value API ({@code GATEWAY_URL}), where the order read model lives; calls carry INTERNAL_SECRET. */
@RegisterRestClient(configKey = "gateway")
public interface GatewayClient {

    /** Header carrying the causal context from a read to the write that follows it. */
    String CONTEXT = "X-Context";

    /** 200 with the value, 300 with siblings, 404 when absent (as an exception of the client). */
    @GET
    @Path("/kv/{key}")
    Uni<Response> get(@HeaderParam("Authorization") String authorization, @PathParam("key") String key,
            @QueryParam("r") String r);

    @PUT
    @Path("/kv/{key}")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> put(@HeaderParam("Authorization") String authorization, @PathParam("key") String key,
            @QueryParam("w") String w, @HeaderParam(CONTEXT) String context, byte[] body);

    /** Many keys read in one call: {@code {"keys": [...], "r": ...}}, an outcome per key in the same order. */
    @POST
    @Path("/kv-batch/get")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<JsonNode> getMany(@HeaderParam("Authorization") String authorization, JsonNode request);

    /** Many keys written in one call: {@code {"writes": [{key, context, contentType, value}], "w": ...}}, an outcome per key. */
    @POST
    @Path("/kv-batch/put")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<JsonNode> putMany(@HeaderParam("Authorization") String authorization, JsonNode request);
}
