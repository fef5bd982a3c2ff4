package dev.ordersaga.api.web;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.api.domain.CustomerId;
import dev.ordersaga.api.domain.Order;
import dev.ordersaga.api.domain.OrderLimits;
import dev.ordersaga.api.domain.OrderStateMachine;
import dev.ordersaga.api.orders.Admission;
import dev.ordersaga.api.orders.CreateOrderRequest;
import dev.ordersaga.api.orders.OrderService;
import dev.ordersaga.api.session.ReadPreference;
import dev.ordersaga.api.session.SessionReads;
import dev.ordersaga.api.session.SessionState;
import dev.ordersaga.api.session.SessionTokens;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.http.RequestIds;

/**
 * HTTP face of orders: create, read, list, pay, cancel. Every call is a customer's, authenticated
 * by a bearer JWT whose subject is the customer: a customer sees and changes its own orders only
 * (another's is a 404, as if it did not exist); the {@value #ADMIN} role may read any order and
 * list any customer's. Every successful response carries the session token
 * ({@code X-Session-Token}), bound to the caller, advanced to what the call wrote or showed.
 */
@Path("/orders")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class OrderResource {

    /** The role that may read every customer's orders. */
    public static final String ADMIN = "orders-admin";

    /** Which store answered: {@code primary} or {@code replica}. */
    public static final String SERVED_BY = "X-Served-By";
    /** Why an {@code auto} read was served by the primary. */
    public static final String READ_FALLBACK = "X-Read-Fallback";
    /** An Idempotency-Key: printable ASCII (a structured-field string), 1 to 200 characters. */
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x20-\\x7e]{1,200}");

    private final OrderService service;
    private final Admission admission;
    private final SessionReads reads;
    private final SessionTokens tokens;
    private final JsonWebToken caller;
    private final int clockSkewSeconds;

    public OrderResource(OrderService service, Admission admission, SessionReads reads, SessionTokens tokens,
            JsonWebToken caller, @ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60") int clockSkewSeconds) {
        this.clockSkewSeconds = clockSkewSeconds;
        this.admission = admission;
        this.service = service;
        this.reads = reads;
        this.tokens = tokens;
        this.caller = caller;
    }

    /**
     * The calling customer: the token's subject, when it is a valid customer id ({@link CustomerId}) and
     * the token was not issued in the future (beyond the clock skew); 401 otherwise. Expiry, the
     * skew and the longest lifetime are checked by MicroProfile JWT before this.
     */
    private String customer() {
        long issuedAt = caller.getIssuedAtTime();
        if (issuedAt > System.currentTimeMillis() / 1000 + clockSkewSeconds) {
            throw new ProblemException(401, "unauthorized", "Unauthorized",
                    "the bearer token was issued in the future (its iat is past this service's clock plus "
                            + clockSkewSeconds + " s)");
        }
        String subject = caller.getSubject();
        CustomerId.problem(subject).ifPresent(problem -> {
            throw new ProblemException(401, "invalid-subject", "Unauthorized",
                    "the bearer token's subject cannot name a customer: " + problem);
        });
        return subject;
    }

    private boolean admin() {
        return caller.getGroups() != null && caller.getGroups().contains(ADMIN);
    }

    /** Accepts the order as PENDING at once (202), whether or not the worker is reachable. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Order>> create(@Valid @NotNull CreateOrderRequest request,
            @RestHeader("Idempotency-Key") String idempotencyKey, @RestHeader(SessionTokens.HEADER) String token) {
        String key = OrderService.key(idempotencyKey).orElse(null);
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ProblemException.badRequest("invalid-idempotency-key",
                    "Idempotency-Key is 1 to 200 printable ASCII characters (letters, digits, punctuation, space)");
        }
        String customer = customer();
        if (request.customerId() != null && !request.customerId().equals(customer)) {
            throw new ProblemException(403, "customer-mismatch", "Forbidden",
                    "customerId names another customer than the caller: leave it out, or name yourself");
        }
        SessionState session = tokens.read(token, customer);
        return admitted(customer, request, key)
                .map(created -> {
                    Order o = created.order();
                    session.sawOrder(o.id(), o.version(), o.customerId(), created.customerVersion());
                    return RestResponse.ResponseBuilder.<Order>create(RestResponse.Status.ACCEPTED)
                            .location(URI.create("/orders/" + o.id()))
                            .header("Idempotent-Replayed", String.valueOf(created.replayed()))
                            .header(SessionTokens.HEADER, tokens.write(session, customer))
                            .header(SERVED_BY, "primary")
                            .entity(o)
                            .build();
                });
    }

    /**
     * Creates the order, past admission control; while new orders are refused, a repeat of a request
     * that was accepted before (same {@code Idempotency-Key}) is still answered with its order.
     */
    private Uni<OrderService.Created> admitted(String customer, CreateOrderRequest request, String key) {
        try {
            admission.admitNewOrder();
        } catch (ProblemException refused) {
            if (key == null) {
                throw refused;
            }
            return service.replayOnly(customer, request, key).map(found -> found.orElseThrow(() -> refused));
        }
        return service.create(customer, request, key, RequestIds.current());
    }

    /** One order; {@code read=auto|primary|replica} (default auto) chooses where it is read. */
    @GET
    @Path("/{id}")
    public Uni<RestResponse<Order>> get(@PathParam("id") String id, @QueryParam("read") String read,
            @QueryParam("consistency") String consistency, @RestHeader(SessionTokens.HEADER) String token) {
        UUID orderId = parse(id);
        ReadPreference preference = ReadPreference.parse(read, consistency);
        String customer = customer();
        SessionState session = tokens.read(token, customer);
        return reads.order(orderId, preference, session)
                .map(served -> {
                    if (!served.value().customerId().equals(customer) && !admin()) {
                        throw SessionReads.orderNotFound(orderId, preference);
                    }
                    return respond(served, session, customer);
                });
    }

    /** A customer's orders, newest first; {@code read=auto|primary|replica} as for one order. */
    @GET
    public Uni<RestResponse<List<Order>>> list(@QueryParam("customerId") String customerId,
            @QueryParam("limit") String limit, @QueryParam("read") String read,
            @QueryParam("consistency") String consistency, @RestHeader(SessionTokens.HEADER) String token) {
        String customer = customer();
        String listed = customerId == null ? customer : customerId;
        CustomerId.problem(listed).ifPresent(problem -> {
            throw ProblemException.badRequest("invalid-customer-id", "customerId cannot name a customer: " + problem);
        });
        if (!listed.equals(customer) && !admin()) {
            throw new ProblemException(403, "forbidden-customer", "Forbidden", "a customer lists its own orders only");
        }
        int max = limit(limit);
        ReadPreference preference = ReadPreference.parse(read, consistency);
        SessionState session = tokens.read(token, customer);
        return reads.byCustomer(listed, max, preference, session).map(served -> respond(served, session, customer));
    }

    private static int limit(String value) {
        if (value == null) {
            return OrderLimits.DEFAULT_LIST;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= OrderLimits.MAX_LIST) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // the same answer as out of range
        }
        throw ProblemException.badRequest("invalid-limit", "limit must be an integer between 1 and " + OrderLimits.MAX_LIST);
    }

    @POST
    @Path("/{id}/pay")
    public Uni<RestResponse<Order>> pay(@PathParam("id") String id, @RestHeader(SessionTokens.HEADER) String token) {
        return command(id, OrderStateMachine.Command.PAY, token);
    }

    @POST
    @Path("/{id}/cancel")
    public Uni<RestResponse<Order>> cancel(@PathParam("id") String id, @RestHeader(SessionTokens.HEADER) String token) {
        return command(id, OrderStateMachine.Command.CANCEL, token);
    }

    private Uni<RestResponse<Order>> command(String id, OrderStateMachine.Command command, String token) {
        UUID orderId = parse(id);
        String customer = customer();
        SessionState session = tokens.read(token, customer);
        return service.apply(orderId, command, RequestIds.current(), customer)
                .map(written -> {
                    Order o = written.order();
                    session.sawOrder(o.id(), o.version(), o.customerId(), written.customerVersion());
                    return RestResponse.ResponseBuilder.ok(o)
                            .header(SessionTokens.HEADER, tokens.write(session, customer))
                            .header(SERVED_BY, "primary")
                            .build();
                });
    }

    private <T> RestResponse<T> respond(SessionReads.Served<T> served, SessionState session, String customer) {
        var response = RestResponse.ResponseBuilder.ok(served.value())
                .header(SessionTokens.HEADER, tokens.write(session, customer))
                .header(SERVED_BY, served.servedBy());
        if (served.fallback() != null) {
            response.header(READ_FALLBACK, served.fallback());
        }
        return response.build();
    }

    /** An order id; anything else names no order (404, without echoing what was sent). */
    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(404, "not-found", "order not found", "no order has this id");
        }
    }
}
