package dev.ordersaga.api.saga;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.http.RequestIds;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.TraceContext;

/** The worker's job endpoints ({@code WORKER_URL}). Guarded by {@link WorkerTransport}. */
@RegisterRestClient(configKey = "worker")
@Path("/jobs")
@Consumes(MediaType.APPLICATION_JSON)
public interface WorkerClient {

    @POST
    @Path("/reserve-stock")
    Uni<Void> reserveStock(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(RequestIds.HEADER) String requestId, @HeaderParam(TraceContext.HEADER_NAME) String traceparent,
            Envelope envelope);

    @POST
    @Path("/release-stock")
    Uni<Void> releaseStock(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(RequestIds.HEADER) String requestId, @HeaderParam(TraceContext.HEADER_NAME) String traceparent,
            Envelope envelope);
}
