package dev.ordersaga.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of processes, from {@code /proc} (user + system, in clock ticks of 10 ms). */
final class ProcessCpu {

    /** Microseconds in one clock tick ({@code USER_HZ} = 100 on Linux). */
    static final double MICROS_PER_TICK = 10_000.0;

    private ProcessCpu() {
    }

    /** CPU ticks of one process. */
    static long ticks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** CPU ticks of every process whose name starts with {@code name}. */
    static long ticksOfEvery(String name) throws IOException {
        long sum = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    if (Files.readString(p.resolve("comm")).trim().startsWith(name)) {
                        sum += ticks(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        }
        return sum;
    }
}
