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

    private static final int HEIGHT = 260;

    private static final int LEFT = 16;

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
        int slot = (WIDTH - 2 * LEFT) / months.size();
        int barWidth = slot * 3 / 5;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg id=\"cost-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-labelledby=\"cost-chart-title\">")
                .append("<title id=\"cost-chart-title\">Cost by type, ").append(htmlEscape(months.get(0).toString()))
                .append(" to ").append(htmlEscape(months.get(months.size() - 1).toString())).append(", USD</title>");
        int legendX = LEFT;
        for (String type : TYPES) {
            svg.append("<rect x=\"").append(legendX).append("\" y=\"8\" width=\"12\" height=\"12\" fill=\"")
                    .append(COLOURS.get(type)).append("\"/><text x=\"").append(legendX + 16).append("\" y=\"19\">")
                    .append(type).append("</text>");
            legendX += 90;
        }
        svg.append("<text x=\"").append(WIDTH - LEFT).append("\" y=\"19\" text-anchor=\"end\">max ")
                .append(Money.toUsd(highest)).append(" USD</text>");
        int baseline = TOP + PLOT_HEIGHT;
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(baseline).append("\" x2=\"").append(WIDTH - LEFT)
                .append("\" y2=\"").append(baseline).append("\" stroke=\"#888\"/>");
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
