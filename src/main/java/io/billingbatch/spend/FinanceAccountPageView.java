package io.billingbatch.spend;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.Money;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

/** The HTML of the per-account finance view; every value from the database is HTML-escaped. */
final class FinanceAccountPageView {

    private FinanceAccountPageView() {
    }

    record Anomaly(LocalDate day, String zone, String type, long spend, long median, long spread, int baselineDays) {
    }

    record Model(ApiPrincipal principal, BillingAccount account, YearMonth month, JdbcAccountSpend.Cost cost, Runway runway,
            List<Anomaly> anomalies) {
    }

    /** A page body waiting for its CSP nonce. */
    @FunctionalInterface
    interface Body {

        String render(String nonce);
    }

    private static final String STYLE = """
            body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #1d2330; }
            h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
            table { border-collapse: collapse; } th, td { padding: .3rem .8rem; border-bottom: 1px solid #e3e6ee; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            tr.total td { font-weight: bold; border-top: 2px solid #1d2330; }
            .error { color: #a4161a; font-weight: bold; } .muted { color: #667; } .paused { color: #a4161a; font-weight: bold; }
            """;

    static Body problem(String message) {
        return nonce -> document(nonce, "Account", "<p class=\"error\" role=\"alert\">" + htmlEscape(message)
                + "</p>\n<p><a href=\"/finance\">Back to the finance page</a></p>\n");
    }

    static Body page(Model model) {
        BillingAccount account = model.account();
        StringBuilder body = new StringBuilder();
        body.append("<p><a href=\"/finance\">&larr; Finance page</a> · signed in as ").append(htmlEscape(model.principal().name()))
                .append(" (").append(model.principal().role().word()).append(")</p>\n");
        body.append("<h1 id=\"account-name\">").append(htmlEscape(account.name() == null ? "" : account.name())).append("</h1>\n");
        body.append("<table id=\"account\"><tr><th>account</th><td>").append(account.id()).append("</td></tr>")
                .append("<tr><th>customer</th><td>").append(account.customerId()).append("</td></tr>")
                .append("<tr><th>status</th><td>").append(htmlEscape(account.status())).append(account.deleted() != null ? " (deleted)" : "")
                .append("</td></tr><tr><th>balance</th><td class=\"num\" id=\"balance\">").append(Money.toUsd(account.balance()))
                .append(" USD</td></tr></table>\n");

        String month = model.month().toString();
        body.append("<form method=\"get\" action=\"/finance/accounts/").append(account.id()).append("\" id=\"account-month-form\">")
                .append("<label for=\"month\">Month</label> <input id=\"month\" name=\"month\" value=\"").append(month)
                .append("\" size=\"8\" pattern=\"[0-9]{4}-[0-9]{2}\"> <button type=\"submit\">Show</button></form>\n");
        body.append("<h2 id=\"cost-title\">Cost by type, ").append(month).append(" (UTC)</h2>\n")
                .append("<table id=\"cost\"><tr><th>type</th><th>cost (USD)</th></tr>")
                .append(row("call", model.cost().calls())).append(row("sms", model.cost().sms()))
                .append(row("number", model.cost().numbers()))
                .append("<tr class=\"total\"><td>total</td><td class=\"num\">").append(Money.toUsd(model.cost().total()))
                .append("</td></tr></table>\n");

        body.append("<h2>Runway now</h2>\n");
        Runway runway = model.runway();
        if (runway == null) {
            body.append("<p class=\"muted\" id=\"runway\">The account is deleted: it has no runway.</p>\n");
        }
        else {
            body.append("<table id=\"runway\">")
                    .append("<tr><th>spent last hour / 24 h / 7 days</th><td class=\"num\">").append(Money.toUsd(runway.spentLastHour()))
                    .append(" / ").append(Money.toUsd(runway.spentLastDay())).append(" / ").append(Money.toUsd(runway.spentLast7Days()))
                    .append(" USD</td></tr><tr><th>burn rate</th><td class=\"num\">").append(Money.toUsd(runway.burnPerHour()))
                    .append(" USD/h</td></tr><tr><th>hours left</th><td class=\"num\" id=\"hours-left\">")
                    .append(runway.hoursLeft() == null ? "not spending" : runway.hoursLeft().toPlainString())
                    .append("</td></tr><tr><th>runs out</th><td>").append(runway.runsOutAt() == null ? "&ndash;" : runway.runsOutAt())
                    .append("</td></tr><tr><th>auto top-up</th><td>").append(htmlEscape(runway.autoTopUp()))
                    .append("</td></tr><tr><th>traffic</th><td").append(runway.trafficPaused() ? " class=\"paused\">paused" : ">flowing")
                    .append("</td></tr></table>\n");
        }

        body.append("<h2>Spend anomalies, last ").append(FinanceAccountPageController.ANOMALY_DAYS).append(" days</h2>\n");
        if (model.anomalies().isEmpty()) {
            body.append("<p class=\"muted\" id=\"no-anomalies\">None.</p>\n");
        }
        else {
            body.append("<table id=\"anomalies\"><tr><th>day</th><th>zone</th><th>type</th><th>spend (USD)</th>")
                    .append("<th>usual day (median)</th><th>spread</th><th>baseline days</th></tr>");
            for (Anomaly anomaly : model.anomalies()) {
                body.append("<tr><td>").append(anomaly.day()).append("</td><td>").append(htmlEscape(anomaly.zone()))
                        .append("</td><td>").append(htmlEscape(anomaly.type())).append("</td><td class=\"num\">")
                        .append(Money.toUsd(anomaly.spend())).append("</td><td class=\"num\">").append(Money.toUsd(anomaly.median()))
                        .append("</td><td class=\"num\">").append(Money.toUsd(anomaly.spread())).append("</td><td class=\"num\">")
                        .append(anomaly.baselineDays()).append("</td></tr>");
            }
            body.append("</table>\n");
        }
        String title = "Account " + account.id();
        return nonce -> document(nonce, title, body.toString());
    }

    private static String row(String type, long micros) {
        return "<tr><td>" + type + "</td><td class=\"num\">" + Money.toUsd(micros) + "</td></tr>";
    }

    private static String document(String nonce, String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + htmlEscape(title)
                + " · finance</title><style nonce=\"" + nonce + "\">" + STYLE + "</style></head><body>\n" + body
                + "</body></html>\n";
    }
}
