package io.billingbatch.api;

import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.billingbatch.costreport.CostReportRepository.MonthlyCost;
import io.billingbatch.ledger.Money;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

/**
 * An inline SVG bar chart of cost by charge type over consecutive months: one stacked bar per
 * month (call, sms, number), scaled to the highest month. Geometry is integer arithmetic on the
 * micro-USD amounts; every label is escaped.
 */
final class CostChart {

    static final List<String> TYPES = io.billingbatch.ledger.PostedCharges.TYPES;

    private static final Map<String, String> COLOURS = Map.of("call", "#2f6db5", "sms", "#e39b25", "number", "#3a9d5d");

    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("MMM yy", Locale.ENGLISH);

    private static final int WIDTH = 720;

    private static final int HEIGHT = 290;

    /** Room on the left for the value axis: its title and its labels. */
    private static final int LEFT = 96;

    private static final int RIGHT_MARGIN = 16;

    private static final int TICKS = 4;

    private static final int TOP = 34;

    private static final int PLOT_HEIGHT = 180;

    private CostChart() {
    }

    static String svg(List<YearMonth> months, List<MonthlyCost> costs) {
        Map<YearMonth, Map<String, Long>> byMonth = new HashMap<>();
        for (MonthlyCost cost : costs) {
            byMonth.computeIfAbsent(cost.month(), key -> new HashMap<>()).merge(cost.type(), Math.max(0, cost.cost()), Math::addExact);
        }
        long highest = 1;
        for (YearMonth month : months) {
            highest = Math.max(highest, total(byMonth.get(month)));
        }
        int slot = (WIDTH - LEFT - RIGHT_MARGIN) / months.size();
        int barWidth = slot * 3 / 5;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg id=\"cost-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-labelledby=\"cost-chart-title\">")
                .append("<title id=\"cost-chart-title\">Cost by type, ").append(htmlEscape(months.get(0).toString()))
                .append(" to ").append(htmlEscape(months.get(months.size() - 1).toString())).append(", USD</title>");
        int legendX = 16;
        for (String type : TYPES) {
            svg.append("<rect x=\"").append(legendX).append("\" y=\"8\" width=\"12\" height=\"12\" fill=\"")
                    .append(COLOURS.get(type)).append("\"/><text x=\"").append(legendX + 16).append("\" y=\"19\">")
                    .append(type).append("</text>");
            legendX += 90;
        }
        int baseline = TOP + PLOT_HEIGHT;
        // the value axis: gridlines and labels in whole dollars with thousands separators, and its title
        svg.append("<g class=\"y-axis\">");
        for (int tick = 0; tick <= TICKS; tick++) {
            long value = highest * tick / TICKS;
            int y = baseline - (int) (value * PLOT_HEIGHT / highest);
            svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(y).append("\" x2=\"").append(WIDTH - RIGHT_MARGIN)
                    .append("\" y2=\"").append(y).append("\" stroke=\"").append(tick == 0 ? "#888" : "#e3e6ee").append("\"/>")
                    .append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(y + 4)
                    .append("\" text-anchor=\"end\">").append(axisUsd(value)).append("</text>");
        }
        svg.append("<text class=\"axis-title\" id=\"cost-chart-y\" x=\"0\" y=\"0\" text-anchor=\"middle\" transform=\"translate(14 ")
                .append(TOP + PLOT_HEIGHT / 2).append(") rotate(-90)\">Cost (USD)</text></g>");
        svg.append("<text class=\"axis-title\" id=\"cost-chart-x\" x=\"").append(LEFT + (WIDTH - LEFT - RIGHT_MARGIN) / 2)
                .append("\" y=\"").append(HEIGHT - 6).append("\" text-anchor=\"middle\">Month</text>");
        for (int i = 0; i < months.size(); i++) {
            YearMonth month = months.get(i);
            Map<String, Long> monthCosts = byMonth.getOrDefault(month, Map.of());
            int x = LEFT + i * slot + (slot - barWidth) / 2;
            long stacked = 0;
            int top = baseline;
            svg.append("<g class=\"bar\" data-month=\"").append(month).append("\" data-total=\"")
                    .append(Money.toUsd(total(monthCosts))).append("\">");
            for (String type : TYPES) {
                long cost = monthCosts.getOrDefault(type, 0L);
                if (cost == 0) {
                    continue;
                }
                stacked += cost;
                int newTop = baseline - (int) (stacked * PLOT_HEIGHT / highest);
                svg.append("<rect x=\"").append(x).append("\" y=\"").append(newTop).append("\" width=\"").append(barWidth)
                        .append("\" height=\"").append(Math.max(1, top - newTop)).append("\" fill=\"")
                        .append(COLOURS.get(type)).append("\" data-type=\"").append(type).append("\"><title>")
                        .append(month).append(' ').append(type).append(": ").append(Money.toUsd(cost))
                        .append(" USD</title></rect>");
                top = newTop;
            }
            svg.append("<text x=\"").append(x + barWidth / 2).append("\" y=\"").append(baseline + 18)
                    .append("\" text-anchor=\"middle\" font-size=\"11\">").append(htmlEscape(LABEL.format(month)))
                    .append("</text></g>");
        }
        return svg.append("</svg>").toString();
    }

    /**
     * An accessible table of the chart's figures: one row per month, a column per type and the total,
     * in USD with thousands separators and cents.
     */
    static String table(List<YearMonth> months, List<MonthlyCost> costs) {
        Map<YearMonth, Map<String, Long>> byMonth = new HashMap<>();
        for (MonthlyCost cost : costs) {
            byMonth.computeIfAbsent(cost.month(), key -> new HashMap<>()).merge(cost.type(), cost.cost(), Math::addExact);
        }
        StringBuilder html = new StringBuilder("<table id=\"cost-chart-table\"><caption>Cost by type and month (USD)</caption>")
                .append("<thead><tr><th scope=\"col\">Month</th>");
        for (String type : TYPES) {
            html.append("<th scope=\"col\" class=\"num\">").append(type).append("</th>");
        }
        html.append("<th scope=\"col\" class=\"num\">Total</th></tr></thead><tbody>");
        for (YearMonth month : months) {
            Map<String, Long> monthCosts = byMonth.getOrDefault(month, Map.of());
            html.append("<tr data-month=\"").append(month).append("\"><th scope=\"row\">").append(month).append("</th>");
            for (String type : TYPES) {
                html.append("<td class=\"num\">").append(FinancePageView.usd(monthCosts.getOrDefault(type, 0L))).append("</td>");
            }
            html.append("<td class=\"num\">").append(FinancePageView.usd(total(monthCosts))).append("</td></tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    /** A value axis label: whole dollars with thousands separators, {@code $106,919}. */
    static String axisUsd(long micros) {
        return "$" + String.format(Locale.ROOT, "%,d", (micros + Money.MICROS_PER_USD / 2) / Money.MICROS_PER_USD);
    }

    private static long total(Map<String, Long> costs) {
        if (costs == null) {
            return 0;
        }
        long sum = 0;
        for (String type : TYPES) {
            sum = Math.addExact(sum, costs.getOrDefault(type, 0L));
        }
        return sum;
    }
}
