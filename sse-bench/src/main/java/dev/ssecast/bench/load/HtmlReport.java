package dev.ssecast.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * One self-contained HTML page for one or more runs: plots of latency percentiles against connections and against
 * rate, deliveries per second against rate (with published x connections as the reference), each second of the
 * runs, and tables of the steps and of memory per connection. Stateless.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    static String render(List<Results.Run> runs) {
        return render("ssecast-bench: " + runs.get(0).label(), runs);
    }

    static String render(String title, List<Results.Run> runs) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset='utf-8'><title>")
                .append(escape(title)).append("</title><style>body{font-family:sans-serif;margin:24px;max-width:1500px}"
                        + "table{border-collapse:collapse;margin:8px 0 24px}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;"
                        + "text-align:right;font-size:13px}th{background:#f4f4f4}.charts{display:flex;flex-wrap:wrap;"
                        + "gap:16px}.bad{color:#b00}</style></head><body><h1>").append(escape(title)).append("</h1>");
        for (Results.Run run : runs) {
            html.append("<p><b>").append(escape(run.label())).append("</b>: ").append(escape(run.date()))
                    .append(" &middot; ").append(escape(run.machine())).append(" &middot; ").append(escape(run.jdk()))
                    .append(" &middot; ").append(run.processes()).append(" load process(es)<br><code>")
                    .append(escape(run.command())).append("</code><br>SLO: p99 &le; ").append(run.slo().p99Millis())
                    .append(" ms, delivered &ge; ").append(100 * run.slo().minDeliveredRatio())
                    .append("% of published &times; connections. ");
            if (run.capacity() != null) {
                html.append(String.format(Locale.ROOT, "<b>Capacity: %,d connections &times; %,.0f events/s = %,.0f "
                        + "deliveries/s at p99 %.2f ms.</b>", run.capacity().connections(), run.capacity().rate(),
                        run.capacity().deliveriesPerSecond(), run.capacity().latency().p99()));
            } else {
                html.append("<b class='bad'>No step held the SLO.</b>");
            }
            if (run.accounting() != null) {
                html.append(String.format(Locale.ROOT, " Accounting: %,d events received over %,d connections, "
                        + "%,d lost, %,d out of order.", run.accounting().received(), run.accounting().connections(),
                        run.accounting().lost(), run.accounting().outOfOrder()));
            }
            html.append("</p>");
        }
        html.append("<div class='charts'>");
        SvgChart byRate = new SvgChart("p99 latency against rate", "events published per second", "p99 ms", true, true);
        SvgChart delivered = new SvgChart("Deliveries per second against rate", "events published per second",
                "deliveries per second", true, true);
        SvgChart byConnections = new SvgChart("Latency at the highest rate held, against connections", "connections",
                "ms", false, true);
        SvgChart timeline = new SvgChart("Each second: deliveries per second", "seconds", "deliveries per second",
                false, false);
        SvgChart timelineP99 = new SvgChart("Each second: p99 latency", "seconds", "p99 ms", false, true);
        java.util.Map<String, List<Results.Run>> byLabel = new java.util.LinkedHashMap<>();
        for (Results.Run run : runs) {
            byLabel.computeIfAbsent(run.label(), k -> new ArrayList<>()).add(run);
        }
        for (java.util.Map.Entry<String, List<Results.Run>> server : byLabel.entrySet()) {
            String label = server.getKey();
            TreeMap<Integer, List<Results.Step>> byLevel = new TreeMap<>();
            List<double[]> perSecond = new ArrayList<>();
            List<double[]> p99PerSecond = new ArrayList<>();
            for (Results.Run run : server.getValue()) {
                for (Results.Step step : run.steps()) {
                    byLevel.computeIfAbsent(step.connections(), k -> new ArrayList<>()).add(step);
                }
                if (server.getValue().size() == 1 || run.steps().size() > 1) { // the capacity run's timeline
                    for (Results.Second s : run.seconds()) {
                        perSecond.add(new double[] {s.t(), s.deliveriesPerSecond()});
                        p99PerSecond.add(new double[] {s.t(), s.latency().p99()});
                    }
                }
            }
            List<double[]> p50 = new ArrayList<>();
            List<double[]> p99 = new ArrayList<>();
            List<double[]> p999 = new ArrayList<>();
            byLevel.forEach((level, steps) -> {
                steps.sort(java.util.Comparator.comparingDouble(Results.Step::rate));
                String name = label + " " + SvgChart.label(level) + " conns";
                List<double[]> latency = new ArrayList<>();
                List<double[]> rate = new ArrayList<>();
                List<double[]> ideal = new ArrayList<>();
                Results.Step best = null;
                for (Results.Step s : steps) {
                    latency.add(new double[] {s.rate(), s.latency().p99()});
                    rate.add(new double[] {s.rate(), s.deliveriesPerSecond()});
                    ideal.add(new double[] {s.rate(), s.rate() * s.connections()});
                    if (s.held()) {
                        best = s;
                    }
                }
                byRate.series(name, latency, false);
                delivered.series(name, rate, false);
                delivered.series(name + " ideal", ideal, true);
                if (best != null) {
                    p50.add(new double[] {level, best.latency().p50()});
                    p99.add(new double[] {level, best.latency().p99()});
                    p999.add(new double[] {level, best.latency().p999()});
                }
            });
            byConnections.series(label + " p50", p50, false);
            byConnections.series(label + " p99", p99, false);
            byConnections.series(label + " p99.9", p999, false);
            timeline.series(label, perSecond, false);
            timelineP99.series(label, p99PerSecond, false);
        }
        for (SvgChart chart : List.of(byConnections, byRate, delivered, timeline, timelineP99)) {
            if (!chart.isEmpty()) {
                html.append("<div>").append(chart.render()).append("</div>");
            }
        }
        html.append("</div>");
        steps(html, runs);
        memory(html, runs);
        return html.append("</body></html>").toString();
    }

    private static void steps(StringBuilder html, List<Results.Run> runs) {
        html.append("<h2>Steps</h2><table><tr><th>server</th><th>connections</th><th>rate/s</th><th>accepted</th>"
                + "<th>expected</th><th>delivered</th><th>%</th><th>deliveries/s</th><th>MB/s</th><th>p50 ms</th>"
                + "<th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>server CPU %</th>"
                + "<th>CPU &micro;s/delivery</th><th>RSS MB</th><th>load generator CPU %</th><th>verdict</th></tr>");
        for (Results.Run run : runs) {
            for (Results.Step s : run.steps()) {
                Results.Latency l = s.latency();
                html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td><td>%,.0f</td><td>%,d</td>"
                        + "<td>%,d</td><td>%,d</td><td>%.2f</td><td>%,.0f</td><td>%.1f</td><td>%.2f</td><td>%.2f</td>"
                        + "<td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.0f</td><td>%.3f</td><td>%,d</td><td>%.0f</td>"
                        + "<td class='%s'>%s</td></tr>", escape(run.label()), s.connections(), s.rate(), s.accepted(),
                        s.expected(), s.delivered(), 100 * s.deliveredRatio(), s.deliveriesPerSecond(),
                        s.bytesPerSecond() / 1e6, l.p50(), l.p90(), l.p99(), l.p999(), l.max(), s.serverCpuPercent(),
                        s.serverCpuMicrosPerDelivery(), s.serverRssBytes() >> 20, s.loadCpuPercent(),
                        s.held() ? "" : "bad",
                        escape(s.verdict())));
            }
        }
        html.append("</table>");
    }

    private static void memory(StringBuilder html, List<Results.Run> runs) {
        html.append("<h2>Memory per idle connection</h2><p>Server RSS with the connections open less RSS before any, "
                + "per connection; beside it the kernel's TCP buffer memory (<code>/proc/net/sockstat</code>) and "
                + "slab memory (<code>/proc/meminfo</code>), which count both ends of each loopback connection.</p>"
                + "<table><tr><th>server</th><th>connections</th><th>idle RSS MB</th><th>open RSS MB</th>"
                + "<th>RSS B/conn</th><th>Java heap after GC B/conn</th><th>kernel TCP buffers B/conn</th>"
                + "<th>kernel slab B/conn</th></tr>");
        for (Results.Run run : runs) {
            for (Results.Memory m : run.memory()) {
                html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td><td>%,d</td><td>%,d</td>"
                        + "<td>%,.0f</td><td>%s</td><td>%,.0f</td><td>%,.0f</td></tr>", escape(run.label()),
                        m.connections(), m.idleRssBytes() >> 20, m.openRssBytes() >> 20, m.rssPerConnection(),
                        m.heapPerConnection() < 0 ? "&ndash;" : String.format(Locale.ROOT, "%,.0f",
                                m.heapPerConnection()), m.tcpPerConnection(), m.slabPerConnection()));
            }
        }
        html.append("</table>");
    }

    static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("'", "&#39;").replace("\"", "&quot;");
    }
}
