package dev.ordersaga.worker.jobs;

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

/** The api's callback endpoint ({@code API_URL}). Guarded by {@link ApiTransport}. */
@RegisterRestClient(configKey = "api")
@Path("/internal/order-events")
@Consumes(MediaType.APPLICATION_JSON)
public interface ApiClient {

    @POST
    Uni<Void> orderEvent(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(RequestIds.HEADER) String requestId, @HeaderParam(TraceContext.HEADER_NAME) String traceparent,
            Envelope envelope);
}
