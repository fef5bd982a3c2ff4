package dev.ordersaga.lab;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Seed 004's experiments and the store's, each run in a fresh lab, with a report per scenario and an index. */
final class Scenarios {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private final Path root;
    private final Path rendered;
    private final Path out;
    private final List<String[]> summary = new ArrayList<>();

    Scenarios(Path root, Path rendered, Path out) {
        this.root = root;
        this.rendered = rendered;
        this.out = out;
    }

    static List<Scenario> all() {
        return List.of(CutDuringWorkload.apiToWorker(), CutDuringWorkload.workerToApi(), new SlowWorker(),
                new RedisNodeCut(), new GatewaySubsets(), new ApiGatewayCut(), new LossAndFlapping(), DatabaseCut.apiToPostgres(),
                DatabaseCut.workerToPostgres(), new ReplicaCutFromDatabase());
    }

    /** Runs the scenarios whose names start with one of {@code only} (all when empty); true when none was violated. */
    boolean run(List<String> only) throws Exception {
        Files.createDirectories(out);
        boolean allOk = true;
        for (Scenario s : all()) {
            if (!only.isEmpty() && only.stream().noneMatch(o -> s.name().startsWith(o))) {
                continue;
            }
            allOk &= runOne(s);
        }
        StringBuilder index = new StringBuilder("<!doctype html><meta charset=\"utf-8\"><title>partition lab</title>"
                + "<h1>partition lab</h1><table><tr><th>scenario</th><th>verdict</th><th>figures</th></tr>");
        for (String[] row : summary) {
            index.append("<tr><td><a href=\"").append(row[0]).append("/report.html\">").append(row[0]).append("</a></td><td>")
                    .append(row[1]).append("</td><td>").append(Report.esc(row[2])).append("</td></tr>");
        }
        Files.writeString(out.resolve("index.html"), index.append("</table>\n").toString());
        System.out.println("\nlab: reports in " + out.resolve("index.html"));
        summary.forEach(r -> System.out.printf("lab: %-26s %s  %s%n", r[0], r[1], r[2]));
        return allOk;
    }

    private boolean runOne(Scenario s) {
        System.out.println("lab: === " + s.name() + " ===");
        Findings findings = new Findings();
        Path dir = out.resolve(s.name());
        try (Lab lab = new Lab(root, rendered, dir, s.overrides())) {
            lab.start();
            try (Recorder rec = new Recorder(lab)) {
                setStock(lab);
                try {
                    s.run(lab, rec, findings);
                } catch (Exception e) {
                    findings.violation("scenario aborted: " + e);
                }
                rec.close();
                Report.write(dir, s.name(), s.description(), rec, findings.violations, findings.figures);
            }
        } catch (Exception e) {
            findings.violation("lab failed: " + e);
        }
        String verdict = findings.ok() ? "ok" : "VIOLATED";
        summary.add(new String[] { s.name(), verdict, findings.figures.toString() });
        findings.violations.forEach(v -> System.out.println("lab: " + s.name() + " violation: " + v));
        System.out.println("lab: " + s.name() + ": " + verdict + " " + findings.figures);
        return findings.ok();
    }

    private static void setStock(Lab lab) throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(lab.workerUrl() + "/stock/" + Scenario.SKU))
                .header("Authorization", "Bearer " + lab.secret("INTERNAL_SECRET")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"available\":" + Scenario.STOCK + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("PUT stock: " + r.statusCode() + " " + r.body());
        }
    }
}
