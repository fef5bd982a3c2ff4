package dev.ordersaga.api.session;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.api.domain.Order;
import dev.ordersaga.api.orders.OrderService;
import dev.ordersaga.api.replica.CustomerOrdersRecord;
import dev.ordersaga.api.replica.OrderRecord;
import dev.ordersaga.api.replica.ReplicaConfig;
import dev.ordersaga.api.replica.ReplicaStore;
import dev.ordersaga.http.ProblemException;

/**
 * Reads with session guarantees. {@code auto} serves from the replica when the replica's copy is at
 * least as new as everything the session has written or seen, and from the primary otherwise (or
 * when the replica cannot be reached in time). Every read advances the session to what it showed.
 */
@Startup
@ApplicationScoped
public class SessionReads {

    private static final Logger LOG = Logger.getLogger(SessionReads.class);

    /** Why an {@code auto} read went to the primary. */
    public static final String BEHIND = "replica-behind-session";
    public static final String MISSING = "replica-missing";
    public static final String UNAVAILABLE = "replica-unavailable";
    public static final String TOO_LONG = "replica-list-truncated";

    private final OrderService orders;
    private final ReplicaStore replica;
    private final ReplicaConfig config;
    private final MeterRegistry registry;

    public SessionReads(OrderService orders, ReplicaStore replica, ReplicaConfig config, MeterRegistry registry) {
        this.orders = orders;
        this.replica = replica;
        this.config = config;
        this.registry = registry;
        // Every series exists from the start, at zero: primary and replica reads, auto reads served by
        // the replica, and auto reads that fell back to the primary, by reason.
        count(ReadPreference.PRIMARY, "primary", null);
        count(ReadPreference.REPLICA, "replica", null);
        count(ReadPreference.AUTO, "replica", null);
        for (String fallback : List.of(BEHIND, MISSING, UNAVAILABLE, TOO_LONG)) {
            count(ReadPreference.AUTO, "primary", fallback);
        }
    }

    private Counter count(ReadPreference preference, String servedBy, String fallback) {
        return registry.counter("session.reads", "read", preference.name().toLowerCase(Locale.ROOT),
                "servedBy", servedBy, "fallback", fallback == null ? "none" : fallback);
    }

    /** A value and where it came from; {@code fallback} says why an auto read went to the primary. */
    public record Served<T>(T value, String servedBy, String fallback) {
    }

    public Uni<Served<Order>> order(UUID id, ReadPreference preference, SessionState session) {
        return switch (preference) {
            case PRIMARY -> primaryOrder(id, session, null);
            case REPLICA -> replicaOrder(id)
                    .onFailure(f -> !(f instanceof ProblemException)).transform(SessionReads::unavailable)
                    .map(found -> {
                        OrderRecord r = found.orElseThrow(() -> orderNotFound(id, preference));
                        session.sawOrder(id, r.order().version(), r.order().customerId(), r.customerVersion());
                        return counted(preference, new Served<>(r.order(), "replica", null));
                    });
            case AUTO -> replicaOrder(id)
                    .onItem().transformToUni(found -> {
                        if (found.isEmpty()) {
                            return primaryOrder(id, session, MISSING);
                        }
                        return fresh(found.get(), session).onItem().transformToUni(fresh -> {
                            if (fresh.isEmpty()) {
                                return primaryOrder(id, session, BEHIND);
                            }
                            OrderRecord r = fresh.get();
                            session.sawOrder(id, r.order().version(), r.order().customerId(), r.customerVersion());
                            return Uni.createFrom().item(counted(preference, new Served<>(r.order(), "replica", null)));
                        });
                    })
                    .onFailure(f -> !(f instanceof ProblemException)).recoverWithUni(f -> {
                        LOG.debugf("replica read failed, reading the primary: %s", f.toString());
                        return primaryOrder(id, session, UNAVAILABLE);
                    });
        };
    }

    public Uni<Served<List<Order>>> byCustomer(String customerId, int limit, ReadPreference preference,
            SessionState session) {
        return switch (preference) {
            case PRIMARY -> primaryList(customerId, limit, session, null);
            case REPLICA -> replicaList(customerId)
                    .onFailure().transform(SessionReads::unavailable)
                    .map(found -> {
                        CustomerOrdersRecord r = found.orElse(CustomerOrdersRecord.empty(customerId));
                        session.sawList(customerId, r.version());
                        return counted(preference, new Served<>(head(r.orders(), limit), "replica", null));
                    });
            case AUTO -> replicaList(customerId)
                    .onItem().transformToUni(found -> {
                        long min = session.minCustomerVersion(customerId);
                        CustomerOrdersRecord r = found.orElse(CustomerOrdersRecord.empty(customerId));
                        if (r.version() < min) {
                            return primaryList(customerId, limit, session, found.isEmpty() ? MISSING : BEHIND);
                        }
                        if (!r.canList(limit)) {
                            return primaryList(customerId, limit, session, TOO_LONG);
                        }
                        session.sawList(customerId, r.version());
                        return Uni.createFrom().item(counted(preference, new Served<>(head(r.orders(), limit), "replica", null)));
                    })
                    .onFailure(f -> !(f instanceof ProblemException)).recoverWithUni(f -> {
                        LOG.debugf("replica read failed, reading the primary: %s", f.toString());
                        return primaryList(customerId, limit, session, UNAVAILABLE);
                    });
        };
    }

    /**
     * The replica's copy if it is new enough for the session. An order the session names must be at
     * least at the version it knows, and at least as new as the newest list of its customer the
     * session was shown; an order it does not name must be as new as everything the session saw of
     * its customer. When the order's own record cannot tell (it was last changed before that customer
     * version), the customer's replica list decides: if it has reached that version, its copy is new enough.
     */
    private Uni<Optional<OrderRecord>> fresh(OrderRecord r, SessionState session) {
        String customer = r.order().customerId();
        var known = session.minOrderVersion(r.order().id());
        if (known.isPresent() && r.order().version() < known.getAsLong()) {
            return Uni.createFrom().item(Optional.empty());
        }
        long min = known.isPresent() ? session.minListVersion(customer) : session.minCustomerVersion(customer);
        if (r.customerVersion() >= min) {
            return Uni.createFrom().item(Optional.of(r));
        }
        if (min == Long.MAX_VALUE) {
            return Uni.createFrom().item(Optional.empty());
        }
        return replicaList(customer).map(list -> list
                .filter(l -> l.version() >= min)
                .flatMap(l -> l.orders().stream().filter(o -> o.id().equals(r.order().id())).findFirst())
                .map(o -> OrderRecord.newer(r, new OrderRecord(o, min))));
    }

    private Uni<Optional<OrderRecord>> replicaOrder(UUID id) {
        return replica.read(OrderRecord.key(id), OrderRecord.class, OrderRecord::newer);
    }

    private Uni<Optional<CustomerOrdersRecord>> replicaList(String customerId) {
        int max = config.listMax();
        return replica.read(CustomerOrdersRecord.key(customerId), CustomerOrdersRecord.class,
                CustomerOrdersRecord.merger(max));
    }

    private Uni<Served<Order>> primaryOrder(UUID id, SessionState session, String fallback) {
        return orders.get(id).map(seen -> {
            Order o = seen.value();
            session.sawOrder(id, o.version(), o.customerId(), seen.customerVersion());
            return counted(fallback == null ? ReadPreference.PRIMARY : ReadPreference.AUTO,
                    new Served<>(o, "primary", fallback));
        });
    }

    private Uni<Served<List<Order>>> primaryList(String customerId, int limit, SessionState session, String fallback) {
        return orders.byCustomer(customerId, limit).map(seen -> {
            session.sawList(customerId, seen.customerVersion());
            return counted(fallback == null ? ReadPreference.PRIMARY : ReadPreference.AUTO,
                    new Served<>(seen.value(), "primary", fallback));
        });
    }

    private <T> Served<T> counted(ReadPreference preference, Served<T> served) {
        count(preference, served.servedBy(), served.fallback()).increment();
        return served;
    }

    private static List<Order> head(List<Order> list, int limit) {
        return list.size() <= limit ? list : list.subList(0, limit);
    }

    private static Throwable unavailable(Throwable f) {
        LOG.debugf("replica read failed: %s", f.toString());
        return new ProblemException(503, "replica-unavailable", "Replica unavailable",
                "the replica did not answer in time or could not be read; retry, or read the primary (read=primary)")
                .with("servedBy", "replica");
    }

    /**
     * The 404 of an order this read cannot show: the same whether the id names no order or another
     * customer's, so that a caller cannot tell them apart.
     */
    public static ProblemException orderNotFound(UUID id, ReadPreference preference) {
        ProblemException notFound = ProblemException.notFound("order", id);
        return preference == ReadPreference.REPLICA ? notFound.with("servedBy", "replica") : notFound;
    }
}
