package dev.ordersaga.worker.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Fault simulation switches of the worker (seed experiments). */
@ConfigMapping(prefix = "sim")
public interface SimulationConfig {

    /**
     * {@code SIM_SLOW_WORKER_MS}: delay before a job is handled, to make the worker slower than the
     * api's timeout. The job is still done after the caller gave up. 0 turns it off.
     */
    @WithDefault("0")
    @jakarta.validation.constraints.Min(value = 0, message = "SIM_SLOW_WORKER_MS=${validatedValue}: must be at least 0")
    long slowWorkerMs();
}
