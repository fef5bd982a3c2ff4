package dev.ordersaga.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command of the host (ip, nft, ...) and returns its output; fails with its output on a non-zero exit. */
final class Sh {

    private Sh() {
    }

    static String run(String... command) {
        return run(null, List.of(command));
    }

    static String input(String stdin, String... command) {
        return run(stdin, List.of(command));
    }

    static String run(String stdin, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out
                        + (stdin != null && stdin.length() < 4000 ? "\ninput:\n" + stdin : ""));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #run(String...)}, but a failure is ignored (teardown). */
    static void quietly(String... command) {
        try {
            run(command);
        } catch (RuntimeException e) {
            // best effort
        }
    }
}
