package dev.ordersaga.testsupport;

import java.util.concurrent.TimeUnit;

/** Stopping the server processes the tests start. */
public final class Processes {

    private Processes() {
    }

    /**
     * Stops a process: SIGTERM (or SIGKILL when {@code force}), then SIGKILL if it has not exited
     * within 20 s; returns once it has exited (or 10 s more passed).
     */
    public static void stop(Process process, boolean force) {
        if (force) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
