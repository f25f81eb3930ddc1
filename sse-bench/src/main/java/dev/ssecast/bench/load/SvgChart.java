package dev.ssecast.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG, with linear or base-10 logarithmic axes, a legend, and a point marker per value; no
 * script, so a report is one self-contained file. Build with {@link #series}, then {@link #render()} once.
 */
final class SvgChart {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int W = 690;
    private static final int H = 380;
    private static final int LEFT = 80;
    private static final int RIGHT = 190;
    private static final int TOP = 36;
    private static final int BOTTOM = 50;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();

    /** One line: its name, points as {x, y} pairs, and whether it is drawn dashed (a reference line). */
    record Series(String name, List<double[]> points, boolean dashed) {
    }

    SvgChart(String title, String xLabel, String yLabel, boolean logX, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
        this.logY = logY;
    }

    SvgChart series(String name, List<double[]> points, boolean dashed) {
        List<double[]> usable = new ArrayList<>();
        for (double[] p : points) {
            if ((!logX || p[0] > 0) && (!logY || p[1] > 0) && Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                usable.add(p);
            }
        }
        if (!usable.isEmpty()) {
            series.add(new Series(name, usable, dashed));
        }
        return this;
    }

    boolean isEmpty() {
        return series.isEmpty();
    }

    String render() {
        double[] xr = range(0, logX);
        double[] yr = range(1, logY);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='12'>", W, H));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='20' font-size='15' font-weight='bold'>%s</text>",
                LEFT, HtmlReport.escape(title)));
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' "
                + "stroke='#999'/>", LEFT, TOP, plotW, plotH));
        for (double tick : ticks(xr, logX)) {
            double x = LEFT + plotW * position(tick, xr, logX);
            svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#eee'/>"
                    + "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>", x, TOP, x, TOP + plotH, x,
                    TOP + plotH + 16, label(tick)));
        }
        for (double tick : ticks(yr, logY)) {
            double y = TOP + plotH * (1 - position(tick, yr, logY));
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>"
                    + "<text x='%d' y='%.1f' text-anchor='end'>%s</text>", LEFT, y, LEFT + plotW, y, LEFT - 6,
                    y + 4, label(tick)));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>%s</text>",
                LEFT + plotW / 2, H - 12, HtmlReport.escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x='16' y='%d' text-anchor='middle' transform='rotate(-90 16 %d)'>"
                + "%s</text>", TOP + plotH / 2, TOP + plotH / 2, HtmlReport.escape(yLabel)));
        for (int s = 0; s < series.size(); s++) {
            Series line = series.get(s);
            String color = COLORS[s % COLORS.length];
            StringBuilder path = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (double[] p : line.points()) {
                double x = LEFT + plotW * position(p[0], xr, logX);
                double y = TOP + plotH * (1 - position(p[1], yr, logY));
                path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
                if (!line.dashed()) {
                    marks.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'>"
                            + "<title>%s: %s, %s</title></circle>", x, y, color, HtmlReport.escape(line.name()),
                            label(p[0]), label(p[1])));
                }
            }
            svg.append(String.format(Locale.ROOT, "<path d='%s' fill='none' stroke='%s' stroke-width='2'%s/>",
                    path, color, line.dashed() ? " stroke-dasharray='6 4'" : "")).append(marks);
            int ly = TOP + 10 + 18 * s;
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' "
                    + "stroke-width='2'%s/><text x='%d' y='%d'>%s</text>", W - RIGHT + 10, ly, W - RIGHT + 30, ly,
                    color, line.dashed() ? " stroke-dasharray='6 4'" : "", W - RIGHT + 36, ly + 4,
                    HtmlReport.escape(line.name())));
        }
        return svg.append("</svg>").toString();
    }

    private double[] range(int axis, boolean log) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                min = Math.min(min, p[axis]);
                max = Math.max(max, p[axis]);
            }
        }
        if (log) {
            return new double[] {Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(max)))
                    * (max == Math.pow(10, Math.ceil(Math.log10(max))) ? 1.0001 : 1)};
        }
        min = Math.min(0, min);
        double step = niceStep((max - min) / 5);
        return new double[] {min, Math.max(step, Math.ceil(max / step) * step)};
    }

    private static double position(double value, double[] range, boolean log) {
        if (log) {
            return (Math.log10(value) - Math.log10(range[0])) / (Math.log10(range[1]) - Math.log10(range[0]));
        }
        return (value - range[0]) / (range[1] - range[0]);
    }

    private static List<Double> ticks(double[] range, boolean log) {
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double t = range[0]; t <= range[1] * 1.0001; t *= 10) {
                ticks.add(t);
            }
            return ticks;
        }
        double step = niceStep((range[1] - range[0]) / 5);
        for (double t = range[0]; t <= range[1] + step / 1000; t += step) {
            ticks.add(t);
        }
        return ticks;
    }

    private static double niceStep(double raw) {
        if (raw <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / magnitude;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
    }

    static String label(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
