package dev.ordersaga.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.ordersaga.stack.ProjectRoot;

/**
 * {@code k8s/lab/run}'s entry point.
 * <ul>
 * <li>{@code scenarios [name...]}: runs every scenario (or those named), writes reports under
 * {@code target/lab/}, exits 1 on any violation;</li>
 * <li>{@code up}: starts the lab and keeps it running until Ctrl-C; {@code partition <toggle> on|off}
 * from another shell then cuts or heals a path;</li>
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
        switch (command) {
            case "down" -> {
                LabNetwork.teardown();
                Sh.quietly("rm", "-rf", "/var/tmp/ordersaga-lab");
                System.out.println("lab: nothing left (namespaces, bridge, rules, processes)");
            }
            case "up" -> up(root, rendered, out);
            case "partition" -> partition(out, args);
            case "scenarios" -> {
                List<String> only = new ArrayList<>(List.of(args).subList(Math.min(1, args.length), args.length));
                boolean ok = new Scenarios(root, rendered, out).run(only);
                System.exit(ok ? 0 : 1);
            }
            default -> {
                System.err.println("usage: up | down | partition <toggle> on|off | scenarios [name...]");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    private static void up(Path root, Path rendered, Path out) throws Exception {
        Lab lab = new Lab(root, rendered, out.resolve("up"), Map.of()).start();
        Path control = out.resolve("up/partition-requests");
        Files.createDirectories(control.getParent());
        Files.deleteIfExists(control);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            lab.close();
            stop.countDown();
        }));
        System.out.printf("""
                lab is up (Ctrl-C tears it down)
                  api     %s
                  worker  %s
                  gateway %s  %s
                  partition: k8s/lab/run partition <toggle> on|off
                """, lab.apiUrl(), lab.workerUrl(), lab.gatewayUrl(0), lab.gatewayUrl(1));
        // partition requests arrive as lines "<toggle> on|off" appended to the control file
        long read = 0;
        while (stop.getCount() > 0) {
            if (Files.exists(control)) {
                List<String> lines = Files.readAllLines(control);
                for (; read < lines.size(); read++) {
                    String[] f = lines.get((int) read).trim().split("\\s+");
                    try {
                        lab.partition(f[0], f[1].equals("on"));
                        System.out.println("lab: " + f[0] + " " + f[1] + "; on now: " + lab.togglesOn());
                    } catch (RuntimeException e) {
                        System.out.println("lab: " + e.getMessage());
                    }
                }
            }
            Thread.sleep(200);
        }
    }

    private static void partition(Path out, String[] args) throws Exception {
        if (args.length != 3 || !(args[2].equals("on") || args[2].equals("off"))) {
            System.err.println("usage: partition <toggle> on|off");
            System.exit(2);
        }
        Path control = out.resolve("up/partition-requests");
        if (!Files.exists(control.getParent())) {
            System.err.println("the lab is not up (k8s/lab/run up)");
            System.exit(1);
        }
        Files.writeString(control, args[1] + " " + args[2] + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        System.out.println("requested: " + args[1] + " " + args[2]);
    }
}
