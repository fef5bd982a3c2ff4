package dev.ordersaga.api.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ordersaga.api.domain.Order;
import dev.ordersaga.api.domain.OrderStatus;

class CustomerOrdersRecordTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 11, 22, 0, 0, 0, 0, ZoneOffset.UTC);

    record Change(long customerVersion, Order order) {
    }

    /** A history of changes to a customer's orders, each with its gap-free customer version. */
    private static List<Change> history(Random random, int orders, int changes) {
        List<Order> current = new ArrayList<>();
        List<Change> out = new ArrayList<>();
        long cv = 0;
        for (int i = 0; i < changes; i++) {
            Order next;
            if (current.size() < orders && (current.isEmpty() || random.nextBoolean())) {
                next = new Order(UUID.randomUUID(), "alice", OrderStatus.PENDING, 1, List.of(), null,
                        T0.plusSeconds(i), T0.plusSeconds(i));
                current.add(next);
            } else {
                int k = random.nextInt(current.size());
                Order o = current.get(k);
                next = new Order(o.id(), o.customerId(), OrderStatus.CONFIRMED, o.version() + 1, o.items(), null,
                        o.createdAt(), T0.plusSeconds(i));
                current.set(k, next);
            }
            out.add(new Change(++cv, next));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2, 3, 4, 5, 6, 7, 8 })
    void anyDeliveryOrderWithDuplicatesAndSiblingsSettlesOnTheSameRecord(int seed) {
        Random random = new Random(seed);
        List<Change> changes = history(random, 6, 40);
        CustomerOrdersRecord inOrder = CustomerOrdersRecord.empty("alice");
        for (Change c : changes) {
            inOrder = inOrder.apply(c.customerVersion(), c.order(), 100);
        }
        List<Change> shuffled = new ArrayList<>(changes);
        shuffled.addAll(changes.subList(0, 10));
        Collections.shuffle(shuffled, random);
        // two writers that each saw part of the deliveries, merged at the end
        CustomerOrdersRecord a = CustomerOrdersRecord.empty("alice");
        CustomerOrdersRecord b = CustomerOrdersRecord.empty("alice");
        long highestPrefix = 0;
        for (int i = 0; i < shuffled.size(); i++) {
            Change c = shuffled.get(i);
            if (i % 2 == 0) {
                a = a.apply(c.customerVersion(), c.order(), 100);
            } else {
                b = b.apply(c.customerVersion(), c.order(), 100);
            }
            CustomerOrdersRecord merged = CustomerOrdersRecord.merge(a, b, 100);
            assertThat(merged.version()).isGreaterThanOrEqualTo(highestPrefix);
            highestPrefix = merged.version();
            // the prefix promise: every change up to version is reflected
            for (Change earlier : changes.subList(0, (int) merged.version())) {
                assertThat(merged.orders()).anySatisfy(o -> {
                    assertThat(o.id()).isEqualTo(earlier.order().id());
                    assertThat(o.version()).isGreaterThanOrEqualTo(earlier.order().version());
                });
            }
        }
        assertThat(CustomerOrdersRecord.merge(a, b, 100)).isEqualTo(inOrder);
        assertThat(CustomerOrdersRecord.merge(b, a, 100)).isEqualTo(inOrder);
        assertThat(inOrder.version()).isEqualTo(changes.size());
        assertThat(inOrder.ahead()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 3 })
    void keepsTheNewestOrdersAndSaysWhenItDroppedSome(int max) {
        CustomerOrdersRecord r = CustomerOrdersRecord.empty("alice");
        for (Change c : history(new Random(max), 5, 5)) {
            r = r.apply(c.customerVersion(), c.order(), max);
        }
        assertThat(r.orders()).hasSizeLessThanOrEqualTo(max);
        assertThat(r.orders()).isSortedAccordingTo(CustomerOrdersRecord.NEWEST_FIRST);
        assertThat(r.canList(max)).isTrue();
        assertThat(r.canList(max + 1)).isEqualTo(!r.truncated());
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2 })
    void anOrderRecordNeverMovesBackwards(int seed) {
        Order v1 = new Order(UUID.randomUUID(), "alice", OrderStatus.PENDING, 1, List.of(), null, T0, T0);
        Order v2 = new Order(v1.id(), "alice", OrderStatus.CONFIRMED, 2, List.of(), null, T0, T0.plusSeconds(1));
        var older = new OrderRecord(v1, 1);
        var newer = new OrderRecord(v2, 3 + seed);
        assertThat(OrderRecord.newer(older, newer)).isEqualTo(newer);
        assertThat(OrderRecord.newer(newer, older)).isEqualTo(newer);
        assertThat(OrderRecord.newer(null, older)).isEqualTo(older);
    }
}
