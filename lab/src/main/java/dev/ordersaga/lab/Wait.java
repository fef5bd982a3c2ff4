package dev.ordersaga.lab;

import java.util.Locale;

/** The lab's one way to wait: on an observable condition, polled, with a bound. */
final class Wait {

    private Wait() {
    }

    /** Something the lab can observe; may fail while a fault is on (that counts as not yet). */
    interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code condition} every {@code pollMs} until it holds or {@code boundS} seconds after
     * {@code since} (recorder time) have passed; returns how long after {@code since} it held, or NaN.
     */
    static double until(Recorder rec, double since, double boundS, long pollMs, Condition condition)
            throws InterruptedException {
        while (rec.now() - since <= boundS) {
            boolean holds;
            try {
                holds = condition.holds();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                holds = false;
            }
            if (holds) {
                return rec.now() - since;
            }
            Thread.sleep(pollMs);
        }
        return Double.NaN;
    }

    /** Keeps a fault (or a calm phase) on for {@code seconds}: the experiment's timing, not a synchronisation. */
    static void hold(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    /** A duration for the report, or {@code never} for NaN. */
    static String seconds(double seconds, String never) {
        return Double.isNaN(seconds) ? never : String.format(Locale.ROOT, "%.2f s", seconds);
    }
}
