package dev.ordersaga.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** A scenario's report: a self-contained HTML page with an SVG chart of the run, the figures and the verdict. */
final class Report {

    private static final int W = 900;
    private static final int H = 320;
    private static final int LEFT = 50;
    private static final int TOP = 20;
    private static final int PLOT_H = 240;

    private Report() {
    }

    static void write(Path dir, String scenario, String description, Recorder rec, List<String> violations,
            Map<String, String> figures) throws IOException {
        Files.createDirectories(dir);
        String svg = svg(rec);
        Files.writeString(dir.resolve("chart.svg"), svg);
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(scenario))
                .append("</title><style>body{font:14px sans-serif;margin:24px;max-width:960px}"
                        + "td,th{padding:2px 10px;text-align:left}.ok{color:#1a7f37}.bad{color:#c0392b}</style></head><body>")
                .append("<h1>").append(esc(scenario)).append("</h1><p>").append(esc(description)).append("</p>")
                .append(violations.isEmpty() ? "<h2 class=\"ok\">verdict: every invariant holds</h2>"
                        : "<h2 class=\"bad\">verdict: " + violations.size() + " violation(s)</h2>")
                .append(svg);
        html.append("<h3>Faults</h3><table><tr><th>fault</th><th>started (s)</th><th>healed (s)</th></tr>");
        synchronized (rec.faults) {
            for (Recorder.Fault f : rec.faults) {
                html.append("<tr><td>").append(esc(f.what)).append("</td><td>").append(fmt(f.start)).append("</td><td>")
                        .append(Double.isNaN(f.healed) ? "-" : fmt(f.healed)).append("</td></tr>");
            }
        }
        html.append("</table><h3>Figures</h3><table>");
        figures.forEach((k, v) -> html.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v)).append("</td></tr>"));
        html.append("</table>");
        if (!violations.isEmpty()) {
            html.append("<h3>Violations</h3><ul>");
            violations.forEach(v -> html.append("<li><code>").append(esc(v)).append("</code></li>"));
            html.append("</ul>");
        }
        html.append("<h3>Notes</h3><pre>");
        synchronized (rec.notes) {
            rec.notes.forEach(n -> html.append(esc(n)).append('\n'));
        }
        html.append("</pre></body></html>\n");
        Files.writeString(dir.resolve("report.html"), html.toString());
    }

    static String svg(Recorder rec) {
        List<Recorder.Sample> samples;
        synchronized (rec.samples) {
            samples = new ArrayList<>(rec.samples);
        }
        double tMax = Math.max(1, samples.isEmpty() ? 1 : samples.get(samples.size() - 1).t());
        Map<String, ToDoubleFunction<Recorder.Sample>> series = new LinkedHashMap<>();
        series.put("PENDING orders", s -> s.orders().getOrDefault("PENDING", 0L));
        series.put("CONFIRMED orders", s -> s.orders().getOrDefault("CONFIRMED", 0L) + s.orders().getOrDefault("PAID", 0L));
        series.put("api outbox backlog", s -> s.apiOutbox());
        series.put("worker outbox backlog", s -> s.workerOutbox());
        series.put("hint backlog", s -> s.hints());
        String[] colors = { "#e67e22", "#27ae60", "#2980b9", "#8e44ad", "#c0392b" };
        double yMax = 1;
        for (var f : series.values()) {
            for (var s : samples) {
                yMax = Math.max(yMax, f.applyAsDouble(s));
            }
        }
        double plotW = W - LEFT - 20;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">", W, H + 40, W, H + 40));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        synchronized (rec.faults) {
            int row = 0;
            for (Recorder.Fault f : rec.faults) {
                double x1 = LEFT + f.start / tMax * plotW;
                double x2 = LEFT + (Double.isNaN(f.healed) ? tMax : f.healed) / tMax * plotW;
                String fill = row % 2 == 0 ? "#f1c40f" : "#e74c3c";
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                        + "fill-opacity=\"0.15\"/><text x=\"%.1f\" y=\"%d\" fill=\"#7d6608\">%s</text>", x1, TOP,
                        Math.max(1, x2 - x1), PLOT_H, fill, x1 + 2, TOP + 12 + 12 * (row++ % 4), esc(f.what)));
            }
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>", LEFT,
                TOP + PLOT_H, W - 20, TOP + PLOT_H));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>", LEFT, TOP,
                LEFT, TOP + PLOT_H));
        for (int i = 0; i <= 4; i++) {
            double v = yMax * i / 4;
            double y = TOP + PLOT_H - PLOT_H * i / 4.0;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>", LEFT - 4, y + 4, v));
        }
        for (int i = 0; i <= 10; i++) {
            double t = tMax * i / 10;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0fs</text>",
                    LEFT + plotW * i / 10, TOP + PLOT_H + 14, t));
        }
        int c = 0;
        for (var e : series.entrySet()) {
            StringBuilder points = new StringBuilder();
            for (var s : samples) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + s.t() / tMax * plotW,
                        TOP + PLOT_H - e.getValue().applyAsDouble(s) / yMax * PLOT_H));
            }
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colors[c]).append("\" points=\"")
                    .append(points).append("\"/>");
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", LEFT + c * 165, H + 12, colors[c], LEFT + 14 + c * 165, H + 21,
                    e.getKey()));
            c++;
        }
        // open breakers: a red tick per sample along the bottom
        for (var s : samples) {
            if (!s.open().isEmpty()) {
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"3\" height=\"6\" fill=\"#c0392b\">"
                        + "<title>open: %s</title></rect>", LEFT + s.t() / tMax * plotW, TOP + PLOT_H + 18,
                        esc(String.join(", ", s.open()))));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#c0392b\">▮ a circuit breaker is open</text>",
                LEFT, H + 36));
        svg.append("</svg>");
        return svg.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
