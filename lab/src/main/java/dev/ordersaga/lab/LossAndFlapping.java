package dev.ordersaga.lab;

/** Packet loss, then flapping partitions, under a steady workload: progress continues, nothing is duplicated. */
final class LossAndFlapping implements Scenario {

    @Override
    public String name() {
        return "G-loss-and-flapping";
    }

    @Override
    public String description() {
        return "30% packet loss on api→worker for 8 s, then api→worker and worker→api flapping every 1.5 s for 9 s, "
                + "under a steady workload: progress continues, nothing is duplicated.";
    }

    @Override
    public void run(Lab lab, Recorder rec, Findings f) throws Exception {
        OrderHistory history = new OrderHistory(lab, rec);
        OrderHistory.SteadyClient client = history.steady(SKU, 100);
        Wait.hold(2);
        var loss = rec.fault("30% loss api→worker");
        lab.loss("api", "worker", 30);
        Wait.hold(8);
        lab.loss("api", "worker", 0);
        rec.heal(loss);
        var flap = rec.fault("flapping api-to-worker / worker-to-api");
        for (int i = 0; i < 6; i++) {
            String toggle = i % 2 == 0 ? "api-to-worker" : "worker-to-api";
            lab.partition(toggle, true);
            Wait.hold(1.5);
            lab.partition(toggle, false);
        }
        client.stop();
        rec.heal(flap);
        long confirmedBefore = history.states().values().stream().filter("CONFIRMED"::equals).count();
        f.figure("CONFIRMED when the faults ended", confirmedBefore + " of " + history.acknowledged().size());
        f.require(confirmedBefore > 0, "no progress during loss and flapping");
        double took = history.awaitTerminal(flap.healed, TERMINAL_BOUND_S);
        f.figure("every PENDING order CONFIRMED after healing in", Wait.seconds(took, "never"));
        f.violations(history.check(SKU, STOCK, flap.healed, took, TERMINAL_BOUND_S));
    }
}
