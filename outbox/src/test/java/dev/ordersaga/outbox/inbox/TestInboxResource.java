package dev.ordersaga.outbox.inbox;

import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.outbox.TestTransport;
import dev.ordersaga.outbox.transport.CloudEventsBatch;

/** A batch endpoint as the services declare theirs: a CloudEvents JSON batch into the inbox. */
@Path("/test/inbox")
public class TestInboxResource {

    private final Inbox inbox;
    private final TestHandler handler;

    public TestInboxResource(Inbox inbox, TestHandler handler) {
        this.inbox = inbox;
        this.handler = handler;
    }

    @POST
    @Consumes(CloudEventsBatch.MEDIA_TYPE)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<BatchAnswer> receive(byte[] body) {
        return inbox.receiveBatch("test", body, Set.of(TestTransport.TYPE), handler);
    }
}
