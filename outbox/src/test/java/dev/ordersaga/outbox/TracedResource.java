package dev.ordersaga.outbox;

import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import io.smallrye.mutiny.Uni;

/** A request that writes one message, as a service's endpoint does: the row is written inside the request's span. */
@Path("/test/send")
public class TracedResource {

    private final UnitOfWork work;

    public TracedResource(UnitOfWork work) {
        this.work = work;
    }

    @POST
    @Path("{aggregate}")
    public Uni<String> send(@PathParam("aggregate") String aggregate) {
        return work.run(tx -> tx.send(new NewMessage(TestTransport.DESTINATION, TestTransport.TYPE, aggregate,
                Map.of("n", 1), null))).map(m -> m.id().toString());
    }
}
