package dev.ordersaga.api.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.ordersaga.api.domain.OrderStateMachine.Command;
import dev.ordersaga.api.domain.OrderStateMachine.Decision;
import dev.ordersaga.api.domain.OrderStateMachine.StockEvent;
import dev.ordersaga.http.ProblemException;

class OrderStateMachineTest {

    @Test
    void reservationConfirmsAPendingOrder() {
        assertThat(OrderStateMachine.onStockEvent(OrderStatus.PENDING, StockEvent.RESERVED))
                .isEqualTo(new Decision(OrderStatus.CONFIRMED, false));
    }

    @Test
    void rejectionRejectsAPendingOrder() {
        assertThat(OrderStateMachine.onStockEvent(OrderStatus.PENDING, StockEvent.REJECTED))
                .isEqualTo(new Decision(OrderStatus.REJECTED, false));
    }

    @Test
    void lateReservationForCancelledOrderIsReleased() {
        assertThat(OrderStateMachine.onStockEvent(OrderStatus.CANCELLED, StockEvent.RESERVED))
                .isEqualTo(new Decision(OrderStatus.CANCELLED, true));
    }

    @ParameterizedTest
    @EnumSource(value = OrderStatus.class, names = { "CONFIRMED", "REJECTED", "PAID" })
    void reservationNeverMovesAnOrderThatIsPastPending(OrderStatus status) {
        Decision d = OrderStateMachine.onStockEvent(status, StockEvent.RESERVED);
        assertThat(d.next()).isEqualTo(status);
        assertThat(d.releaseStock()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(OrderStatus.class)
    void releaseNoticeChangesNothing(OrderStatus status) {
        assertThat(OrderStateMachine.onStockEvent(status, StockEvent.RELEASED)).isEqualTo(new Decision(status, false));
    }

    @Test
    void payingAConfirmedOrderMakesItPaid() {
        assertThat(OrderStateMachine.onCommand(OrderStatus.CONFIRMED, Command.PAY))
                .isEqualTo(new Decision(OrderStatus.PAID, false));
    }

    @Test
    void cancellingAConfirmedOrderReleasesItsStock() {
        assertThat(OrderStateMachine.onCommand(OrderStatus.CONFIRMED, Command.CANCEL))
                .isEqualTo(new Decision(OrderStatus.CANCELLED, true));
    }

    @Test
    void cancellingAPendingOrderReleasesNothingYet() {
        assertThat(OrderStateMachine.onCommand(OrderStatus.PENDING, Command.CANCEL))
                .isEqualTo(new Decision(OrderStatus.CANCELLED, false));
    }

    @ParameterizedTest
    @EnumSource(value = OrderStatus.class, names = { "PENDING", "REJECTED", "PAID", "CANCELLED" })
    void payIsIllegalUnlessConfirmed(OrderStatus status) {
        assertThatThrownBy(() -> OrderStateMachine.onCommand(status, Command.PAY))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    @ParameterizedTest
    @EnumSource(value = OrderStatus.class, names = { "REJECTED", "PAID", "CANCELLED" })
    void cancelIsIllegalOnceFinal(OrderStatus status) {
        assertThatThrownBy(() -> OrderStateMachine.onCommand(status, Command.CANCEL))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.status()).isEqualTo(409));
    }
}
