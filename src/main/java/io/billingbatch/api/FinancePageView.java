package io.billingbatch.api;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.Role;
import io.billingbatch.costreport.JdbcCostReportRepository.TypeTotal;
import io.billingbatch.ledger.Money;
import io.billingbatch.report.ReportFile;

import org.springframework.web.util.UriUtils;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

/**
 * The HTML of the finance page, written out by hand: every value from the database, the report
 * folder or the token is HTML-escaped, URLs are path-encoded first, and the only script and style
 * carry the response's CSP nonce.
 */
final class FinancePageView {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private FinancePageView() {
    }

    /** A rendered page and the nonce its script and style carry (for the Content-Security-Policy). */
    record Html(String body, String nonce) {
    }

    /** One report folder of the month (the month itself or a day) and its files. */
    record Folder(String period, List<ReportFile> files) {
    }

    record Model(ApiPrincipal principal, YearMonth month, List<YearMonth> monthChoices, List<TypeTotal> totals,
            String chartSvg, List<Folder> folders, List<RecentJobExecutions.Execution> executions, List<String> jobNames,
            String chartTable, java.util.Optional<MonthAtAGlance.Reconciliation> reconciliation,
            List<MonthAtAGlance.TopAccount> topAccounts) {
    }

    /** USD for people: thousands separators and cents, {@code 106,918.93} (the files keep every micro-dollar). */
    static String usd(long micros) {
        return usd(java.math.BigInteger.valueOf(micros));
    }

    static String usd(java.math.BigInteger micros) {
        java.math.BigDecimal dollars = new java.math.BigDecimal(micros, 6).setScale(2, java.math.RoundingMode.HALF_UP);
        return new java.text.DecimalFormat("#,##0.00", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT))
                .format(dollars);
    }

    static String count(long value) {
        return String.format(java.util.Locale.ROOT, "%,d", value);
    }

    private static final String STYLE = """
            body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #1d2330; }
            header { display: flex; justify-content: space-between; align-items: center; border-bottom: 1px solid #ccd; }
            h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
            table { border-collapse: collapse; } th, td { padding: .3rem .8rem; border-bottom: 1px solid #e3e6ee; text-align: left; }
            td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
            tr.total td { font-weight: bold; border-top: 2px solid #1d2330; }
            .error { color: #a4161a; font-weight: bold; } .muted { color: #667; }
            form.inline { display: inline; } code { font-size: .8rem; }
            svg text { font-size: 12px; fill: #1d2330; } svg text.axis-title { font-weight: bold; }
            .glance { display: flex; flex-wrap: wrap; gap: 2rem; align-items: flex-start; }
            .chart-with-table { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
            caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
            .ok { color: #1b7f3b; font-weight: bold; } .warn { color: #a4161a; font-weight: bold; }
            """;

    static Html signIn(String error, String nonce) {
        StringBuilder body = new StringBuilder();
        body.append("<h1>billing-batch · finance</h1>\n");
        if (error != null) {
            body.append("<p class=\"error\" id=\"signin-error\" role=\"alert\">").append(htmlEscape(error)).append("</p>\n");
        }
        body.append("""
                <form method="post" action="/signin" id="signin-form">
                  <p><label for="token">API token (admin or finance)</label><br>
                  <input type="password" id="token" name="token" autocomplete="off" size="60" required autofocus></p>
                  <p><button type="submit" id="signin">Sign in</button></p>
                </form>
                """);
        return document("Sign in · finance", body.toString(), nonce);
    }

    static Html problem(ApiPrincipal principal, String message, String nonce) {
        String body = header(principal) + "<p class=\"error\" role=\"alert\">" + htmlEscape(message)
                + "</p>\n<p><a href=\"/finance\">Back to the finance page</a></p>\n";
        return document("Finance", body, nonce);
    }

    static Html page(Model model, String nonce) {
        String month = model.month().toString();
        StringBuilder body = new StringBuilder(header(model.principal()));
        body.append("<form method=\"get\" action=\"/finance\" id=\"month-form\"><label for=\"month\">Month</label> ")
                .append("<select id=\"month\" name=\"month\">");
        for (YearMonth choice : model.monthChoices()) {
            body.append("<option value=\"").append(choice).append('"').append(choice.equals(model.month()) ? " selected" : "")
                    .append('>').append(choice).append("</option>");
        }
        body.append("</select> <button type=\"submit\" id=\"show-month\">Show</button></form>\n");
        // one account's cost by type, runway and anomalies: its own page (package spend)
        body.append("<form method=\"get\" action=\"/finance/accounts\" id=\"account-form\"><label for=\"account-id\">Account</label> ")
                .append("<input id=\"account-id\" name=\"id\" size=\"38\" placeholder=\"account id\" required>")
                .append("<input type=\"hidden\" name=\"month\" value=\"").append(month).append("\">")
                .append(" <button type=\"submit\" id=\"show-account\">Show account</button></form>\n");

        body.append("<h2 id=\"totals-title\">Cost report ").append(month).append(" (UTC)</h2>\n");
        if (model.totals().isEmpty()) {
            body.append("<p id=\"no-totals\" class=\"muted\">No cost report has been published for ").append(month)
                    .append(" yet.</p>\n");
        }
        else {
            body.append(totals(model.totals()));
        }
        body.append("<div class=\"glance\">").append(reconciliation(model)).append(topAccounts(model)).append("</div>\n");

        body.append("<h2>Cost by type, last 12 months</h2>\n<div class=\"chart-with-table\">").append(model.chartSvg())
                .append(model.chartTable()).append("</div>\n");

        body.append("<h2>Reports of ").append(month).append("</h2>\n");
        if (model.folders().isEmpty()) {
            body.append("<p id=\"no-reports\" class=\"muted\">No report files for ").append(month).append(".</p>\n");
        }
        else {
            body.append("<p><a id=\"pack-link\" href=\"/v1.0/reports/").append(month).append("/pack\" download>")
                    .append("Finance pack ").append(month).append(" (zip of every report of the month)</a></p>\n");
            for (Folder folder : model.folders()) {
                body.append(folder(folder));
            }
        }
        if (model.principal().role() == Role.ADMIN) {
            body.append(jobs(model));
        }
        return document("Finance " + month, body.toString(), nonce);
    }

    private static String header(ApiPrincipal principal) {
        return "<header><h1>billing-batch · finance</h1><div>Signed in as <span id=\"signed-in\">"
                + htmlEscape(principal.name()) + "</span> (" + principal.role().word() + ") "
                + "<form class=\"inline\" method=\"post\" action=\"/signout\"><button type=\"submit\" id=\"signout\">"
                + "Sign out</button></form></div></header>\n";
    }

    /** Whether the month reconciled: accounts checked and clean, findings by kind with their absolute difference. */
    private static String reconciliation(Model model) {
        String month = model.month().toString();
        StringBuilder html = new StringBuilder("<section id=\"reconciliation\"><h2>Reconciliation ").append(month)
                .append(" (UTC)</h2>\n");
        if (model.reconciliation().isEmpty()) {
            return html.append("<p id=\"reconciliation-status\" class=\"muted\">Not reconciled: no reconciliation has been"
                    + " published for ").append(month).append(" yet.</p></section>\n").toString();
        }
        MonthAtAGlance.Reconciliation reconciliation = model.reconciliation().get();
        var summary = reconciliation.summary();
        long findings = reconciliation.findings();
        html.append("<p id=\"reconciliation-status\" class=\"").append(findings == 0 ? "ok" : "warn").append("\">")
                .append(findings == 0 ? "Reconciled: every account ties out" : "Reconciled with " + count(findings) + " finding(s)")
                .append("</p>\n<p id=\"reconciliation-accounts\">").append(count(summary.accountsChecked()))
                .append(" accounts checked, ").append(count(summary.accountsClean())).append(" clean (revision ")
                .append(reconciliation.run().revision()).append(", job execution ").append(reconciliation.run().jobExecutionId())
                .append(")</p>\n");
        html.append("<table id=\"findings\"><caption>Findings by kind</caption><thead><tr><th scope=\"col\">Kind</th>")
                .append("<th scope=\"col\" class=\"num\">Findings</th><th scope=\"col\" class=\"num\">")
                .append("Absolute difference (USD)</th></tr></thead><tbody>\n");
        java.math.BigInteger total = java.math.BigInteger.ZERO;
        for (var kind : summary.kinds()) {
            html.append("<tr data-kind=\"").append(htmlEscape(kind.kind())).append("\"><td>").append(htmlEscape(kind.kind()))
                    .append("</td><td class=\"num\">").append(count(kind.findings())).append("</td><td class=\"num\">")
                    .append(usd(kind.absoluteDifference())).append("</td></tr>\n");
            total = total.add(kind.absoluteDifference());
        }
        html.append("<tr class=\"total\" data-kind=\"total\"><td>total</td><td class=\"num\">").append(count(findings))
                .append("</td><td class=\"num\">").append(usd(total)).append("</td></tr>\n</tbody></table>\n");
        html.append("<p id=\"reconciliation-files\">Files: ");
        List<String> links = new ArrayList<>();
        for (Folder folder : model.folders()) {
            if (!folder.period().equals(month)) {
                continue;
            }
            for (ReportFile file : folder.files()) {
                if (file.name().startsWith("reconciliation-" + month) && !file.name().contains("provisional")) {
                    links.add("<a class=\"reconciliation-link\" href=\"" + htmlEscape("/v1.0/reports/"
                            + UriUtils.encodePathSegment(month, StandardCharsets.UTF_8) + "/"
                            + UriUtils.encodePathSegment(file.name(), StandardCharsets.UTF_8)) + "\" download>"
                            + htmlEscape(file.name()) + "</a>");
                }
            }
        }
        html.append(links.isEmpty() ? "none yet" : String.join(", ", links)).append("</p>\n");
        return html.append("</section>\n").toString();
    }

    /** The month's ten accounts that cost most, from the published cost report. */
    private static String topAccounts(Model model) {
        StringBuilder html = new StringBuilder("<section id=\"top-accounts-section\"><h2>Top ")
                .append(MonthAtAGlance.TOP_ACCOUNTS).append(" accounts by cost</h2>\n");
        if (model.topAccounts().isEmpty()) {
            return html.append("<p class=\"muted\" id=\"no-top-accounts\">No cost report published for this month.</p>"
                    + "</section>\n").toString();
        }
        html.append("<table id=\"top-accounts\"><thead><tr><th scope=\"col\" class=\"num\">#</th><th scope=\"col\">Account</th>")
                .append("<th scope=\"col\" class=\"num\">Records</th><th scope=\"col\" class=\"num\">Cost (USD)</th>")
                .append("</tr></thead><tbody>\n");
        int rank = 1;
        for (MonthAtAGlance.TopAccount account : model.topAccounts()) {
            html.append("<tr data-account=\"").append(account.accountId()).append("\"><td class=\"num\">").append(rank++)
                    .append("</td><td><span class=\"account-name\">").append(text(account.name()))
                    .append("</span><br><code>").append(account.accountId()).append("</code></td><td class=\"num\">")
                    .append(count(account.records())).append("</td><td class=\"num\">").append(usd(account.cost()))
                    .append("</td></tr>\n");
        }
        return html.append("</tbody></table></section>\n").toString();
    }

    private static String totals(List<TypeTotal> totals) {
        Map<String, TypeTotal> byType = new LinkedHashMap<>();
        for (String type : CostChart.TYPES) {
            byType.put(type, new TypeTotal(type, 0, 0, 0));
        }
        totals.forEach(total -> byType.put(total.type(), total));
        long records = 0;
        long cost = 0;
        StringBuilder html = new StringBuilder("""
                <table id="totals"><thead><tr><th>Type</th><th class="num">Records</th><th class="num">Billable units</th>\
                <th class="num">Cost (USD)</th></tr></thead><tbody>
                """);
        for (TypeTotal total : byType.values()) {
            html.append(totalRow(total.type(), "", total.records(), count(total.billableUnits()), total.cost()));
            records = Math.addExact(records, total.records());
            cost = Math.addExact(cost, total.cost());
        }
        // call seconds, messages and numbers are no common quantity: the total row leaves units empty, as the CLI does
        html.append(totalRow("total", " class=\"total\"", records, "", cost));
        return html.append("</tbody></table>\n").toString();
    }

    private static String totalRow(String type, String rowClass, long records, String units, long cost) {
        String escaped = htmlEscape(type);
        return "<tr" + rowClass + " data-type=\"" + escaped + "\"><td>" + escaped + "</td><td class=\"num records\">" + count(records)
                + "</td><td class=\"num units\">" + units + "</td><td class=\"num cost\" data-usd=\"" + Money.toUsd(cost) + "\">"
                + usd(cost) + "</td></tr>\n";
    }

    private static String folder(Folder folder) {
        StringBuilder html = new StringBuilder();
        html.append("<h3>").append(htmlEscape(folder.period())).append("</h3>\n<table class=\"reports\" data-period=\"")
                .append(htmlEscape(folder.period())).append("\"><thead><tr><th>File</th><th class=\"num\">Size</th>")
                .append("<th>SHA-256</th></tr></thead><tbody>\n");
        for (ReportFile file : folder.files()) {
            String href = "/v1.0/reports/" + UriUtils.encodePathSegment(folder.period(), StandardCharsets.UTF_8) + "/"
                    + UriUtils.encodePathSegment(file.name(), StandardCharsets.UTF_8);
            html.append("<tr><td><a class=\"report-link\" href=\"").append(htmlEscape(href)).append("\" download>")
                    .append(htmlEscape(file.name())).append("</a></td><td class=\"num\">").append(size(file.size()))
                    .append("</td><td><code>").append(htmlEscape(file.sha256())).append("</code></td></tr>\n");
        }
        return html.append("</tbody></table>\n").toString();
    }

    private static String jobs(Model model) {
        StringBuilder html = new StringBuilder("<h2>Recent job executions</h2>\n");
        if (model.executions().isEmpty()) {
            html.append("<p class=\"muted\">No job has run yet.</p>\n");
        }
        else {
            html.append("<table id=\"executions\"><thead><tr><th class=\"num\">Id</th><th>Job</th><th>Period</th>")
                    .append("<th>Status</th><th>Exit</th><th>Started</th><th>Ended</th></tr></thead><tbody>\n");
            for (RecentJobExecutions.Execution execution : model.executions()) {
                html.append("<tr><td class=\"num\">").append(execution.id()).append("</td><td>")
                        .append(text(execution.jobName())).append("</td><td>").append(text(execution.period()))
                        .append("</td><td>").append(text(execution.status())).append("</td><td>")
                        .append(text(execution.exitCode())).append("</td><td>").append(time(execution.started()))
                        .append("</td><td>").append(time(execution.ended())).append("</td></tr>\n");
            }
            html.append("</tbody></table>\n");
        }
        html.append("<h2>Launch a job</h2>\n<form id=\"launch-form\"><label for=\"job\">Job</label> <select id=\"job\" name=\"job\">");
        for (String job : model.jobNames()) {
            html.append("<option value=\"").append(htmlEscape(job)).append("\">").append(htmlEscape(job)).append("</option>");
        }
        html.append("</select> <label for=\"period\">Period</label> <input id=\"period\" name=\"period\" value=\"")
                .append(model.month()).append("\" pattern=\"\\d{4}-\\d{2}(-\\d{2})?\" required size=\"10\"> ")
                .append("<button type=\"submit\" id=\"launch\">Launch</button></form>\n")
                .append("<p id=\"launch-result\" role=\"status\"></p>\n");
        return html.toString();
    }

    /** Posts to the job launch API with the session and shows its answer as text (never as HTML). */
    private static final String SCRIPT = """
            const launchForm = document.getElementById('launch-form');
            if (launchForm) {
              launchForm.addEventListener('submit', async (event) => {
                event.preventDefault();
                const result = document.getElementById('launch-result');
                const job = launchForm.elements.job.value;
                const period = launchForm.elements.period.value;
                result.textContent = 'Launching ' + job + ' for ' + period + '...';
                try {
                  const response = await fetch('/v1.0/jobs/' + encodeURIComponent(job) + '/executions', {
                    method: 'POST', headers: {'Content-Type': 'application/json', 'X-Billing-Page': '1'}, body: JSON.stringify({period: period})
                  });
                  let body = {};
                  try { body = await response.json(); } catch (ignored) { }
                  if (response.status === 202) {
                    result.textContent = 'Started ' + job + ' for ' + period + ': execution ' + body.id + ', ' + body.status;
                  } else if (response.status === 409) {
                    result.textContent = 'Not started: ' + (body.message || 'this period is running or complete')
                        + (body.execution_id ? ' (execution ' + body.execution_id + ')' : '');
                  } else {
                    result.textContent = 'Not started (HTTP ' + response.status + '): ' + (body.message || response.statusText);
                  }
                } catch (failure) {
                  result.textContent = 'Could not reach the server: ' + failure.message;
                }
              });
            }
            """;

    private static Html document(String title, String body, String nonce) {
        String html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + htmlEscape(title) + "</title>\n<style nonce=\"" + nonce + "\">\n" + STYLE + "</style></head>\n<body>\n"
                + body + "<script nonce=\"" + nonce + "\">\n" + SCRIPT + "</script>\n</body></html>\n";
        return new Html(html, nonce);
    }

    private static String text(String value) {
        return value == null ? "" : htmlEscape(value);
    }

    private static String time(LocalDateTime value) {
        return value == null ? "" : WHEN.format(value);
    }

    private static String size(long bytes) {
        if (bytes < 10_000) {
            return bytes + " B";
        }
        if (bytes < 10_000_000) {
            return (bytes / 1024) + " KiB";
        }
        return (bytes / (1024 * 1024)) + " MiB";
    }
}
