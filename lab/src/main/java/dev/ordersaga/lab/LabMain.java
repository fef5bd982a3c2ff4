package dev.ordersaga.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.ordersaga.stack.ProjectRoot;

/**
 * {@code k8s/lab/run}'s entry point.
 * <ul>
 * <li>{@code scenarios [name...]}: runs every scenario (or those named), writes reports under
 * {@code target/lab/}, exits 1 on any violation;</li>
 * <li>{@code up}: starts the lab and keeps it running until Ctrl-C or SIGTERM; {@code k8s/lab/run partition}
 * from another shell then cuts or heals a path through the files under {@code target/lab/up/};</li>
 * <li>{@code down}: removes everything the lab made (namespaces, rules, processes, files).</li>
 * </ul>
 * Arguments after the command: the rendered manifests ({@code -Dlab.rendered}) and the project root
 * ({@code project.root}).
 */
public final class LabMain {

    private LabMain() {
    }

    public static void main(String[] args) throws Exception {
        Path root = ProjectRoot.find();
        Path rendered = Path.of(System.getProperty("lab.rendered", root.resolve("target/lab/rendered.yaml").toString()));
        Path out = root.resolve("target/lab");
        String command = args.length == 0 ? "scenarios" : args[0];
        if (!command.equals("down")) {
            // k8s/lab/run refuses a second lab while this process lives
            Files.createDirectories(out);
            Files.writeString(out.resolve("pid"), ProcessHandle.current().pid() + "\n");
        }
        switch (command) {
            case "down" -> {
                LabNetwork.teardown();
                Sh.quietly("rm", "-rf", "/var/tmp/ordersaga-lab");
                System.out.println("lab: nothing left (namespaces, bridge, rules, processes)");
            }
            case "up" -> up(root, rendered, out);
            case "scenarios" -> {
                List<String> only = new ArrayList<>(List.of(args).subList(Math.min(1, args.length), args.length));
                boolean ok = new Scenarios(root, rendered, out).run(only);
                System.exit(ok ? 0 : 1);
            }
            default -> {
                System.err.println("usage: up | down | scenarios [name...]   (partition: k8s/lab/run partition)");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    private static void up(Path root, Path rendered, Path out) throws Exception {
        Path dir = out.resolve("up");
        Files.createDirectories(dir);
        Path control = dir.resolve("partition-requests");
        Path applied = dir.resolve("partition-applied");
        Path status = dir.resolve("status");
        for (Path f : List.of(control, applied, status)) {
            Files.deleteIfExists(f);
        }
        Lab lab = new Lab(root, rendered, dir, Map.of()).start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(status);
            } catch (IOException e) {
                // the next `up` replaces it
            }
            lab.close();
            stop.countDown();
        }));
        Files.writeString(status, "on:\n");
        System.out.printf("""
                lab is up (Ctrl-C, or k8s/lab/run down from another shell, tears it down)
                  api      %s
                  worker   %s
                  gateways %s  %s
                  secret   Authorization: Bearer %s
                  token    Authorization: %s   (customer c1)
                  logs     %s
                  partition: k8s/lab/run partition <toggle> on|off   (k8s/lab/run partition status)
                """, String.join("  ", lab.apiUrls()),
                String.join("  ", lab.urls("worker")), lab.gatewayUrl(0), lab.gatewayUrl(1), lab.secret("INTERNAL_SECRET"),
                lab.customer("c1"), dir.resolve("logs"));
        // partition requests arrive as lines "<toggle> on|off" appended to the control file; each is
        // answered by a line in the applied file, and the status file lists the toggles that are on
        long read = 0;
        while (stop.getCount() > 0) {
            if (Files.exists(control)) {
                List<String> lines = Files.readAllLines(control);
                for (; read < lines.size(); read++) {
                    String[] f = lines.get((int) read).trim().split("\\s+");
                    String answer;
                    try {
                        lab.partition(f[0], f[1].equals("on"));
                        answer = f[0] + " " + f[1] + ": done; on now: " + lab.togglesOn();
                    } catch (RuntimeException e) {
                        answer = f[0] + " " + f[1] + ": refused: " + e.getMessage();
                    }
                    System.out.println("lab: " + answer);
                    Files.writeString(applied, answer + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Files.writeString(status, "on: " + String.join(" ", lab.togglesOn()) + "\n");
                }
            }
            stop.await(100, TimeUnit.MILLISECONDS);
        }
    }
}
