package dev.ordersaga.api.replica;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;

/** The quorum gateway's multi-key calls ({@code GATEWAY_URL}), where the order read model lives; calls carry INTERNAL_SECRET. A single key is read with ReplicaStore's own web client. */
@RegisterRestClient(configKey = "gateway")
public interface GatewayClient {

    /** Header carrying the causal context from a read to the write that follows it. */
    String CONTEXT = "X-Context";

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
