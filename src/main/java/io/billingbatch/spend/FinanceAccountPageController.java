package io.billingbatch.spend;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.JdbcApiTokens;
import io.billingbatch.access.Role;
import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.JdbcBillingAccounts;
import io.billingbatch.ledger.ReportPeriod;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The finance page's view of one account (signed in with an admin or finance token, as the finance
 * page): its cost by type for a chosen month (UTC, by the cost report's rules), its runway now, and
 * its spend anomalies of the last 90 days. Reached from the finance page's account form.
 */
@Controller
class FinanceAccountPageController {

    static final int ANOMALY_DAYS = 90;

    private static final String RECENT_ANOMALIES = """
            SELECT day, zone, type, spend, baseline_median, baseline_spread, baseline_days
            FROM spend_anomalies WHERE account_id = :account AND day >= :since
            ORDER BY day DESC, zone, type LIMIT 50
            """;

    private final JdbcApiTokens tokens;

    private final JdbcBillingAccounts accounts;

    private final JdbcAccountSpend spend;

    private final JdbcRunways runways;

    private final JdbcClient jdbc;

    private final Clock clock;

    private final SecureRandom random = new SecureRandom();

    FinanceAccountPageController(JdbcApiTokens tokens, JdbcBillingAccounts accounts, JdbcAccountSpend spend, JdbcRunways runways,
            JdbcClient jdbc, Clock clock) {
        this.tokens = tokens;
        this.accounts = accounts;
        this.spend = spend;
        this.runways = runways;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The finance page's account form: {@code ?id=<account id>&month=2026-10}. */
    @GetMapping("/finance/accounts")
    ResponseEntity<String> find(@RequestParam(defaultValue = "") String id, @RequestParam(required = false) String month,
            HttpServletRequest request) {
        Optional<ApiPrincipal> principal = signedIn(request);
        if (principal.isEmpty()) {
            return redirect("/");
        }
        UUID account;
        try {
            account = UUID.fromString(id.trim());
        }
        catch (IllegalArgumentException ex) {
            return html(HttpStatus.BAD_REQUEST, FinanceAccountPageView.problem("'" + id + "' is not an account id (uuid)"));
        }
        return redirect("/finance/accounts/" + account + (month == null || month.isBlank() ? ""
                : "?month=" + org.springframework.web.util.UriUtils.encodeQueryParam(month.trim(), StandardCharsets.UTF_8)));
    }

    @GetMapping("/finance/accounts/{id}")
    ResponseEntity<String> account(@PathVariable String id, @RequestParam(required = false) String month,
            HttpServletRequest request) {
        Optional<ApiPrincipal> principal = signedIn(request);
        if (principal.isEmpty()) {
            return redirect("/");
        }
        UUID accountId;
        YearMonth shown;
        try {
            accountId = UUID.fromString(id);
            shown = ReportPeriod.shownMonth(month, clock);
        }
        catch (IllegalArgumentException ex) {
            return html(HttpStatus.BAD_REQUEST, FinanceAccountPageView.problem(ex.getMessage().startsWith("Invalid UUID")
                    ? "'" + id + "' is not an account id (uuid)" : ex.getMessage()));
        }
        Optional<BillingAccount> account = accounts.find(accountId);
        if (account.isEmpty()) {
            return html(HttpStatus.NOT_FOUND, FinanceAccountPageView.problem("billing account " + accountId + " does not exist"));
        }
        ReportPeriod period = ReportPeriod.parse(shown.toString(), "UTC");
        List<FinanceAccountPageView.Anomaly> anomalies = jdbc.sql(RECENT_ANOMALIES).param("account", accountId)
                .param("since", Date.valueOf(LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(ANOMALY_DAYS)))
                .query((rs, row) -> new FinanceAccountPageView.Anomaly(rs.getDate("day").toLocalDate(), rs.getString("zone"),
                        rs.getString("type"), rs.getLong("spend"), rs.getLong("baseline_median"), rs.getLong("baseline_spread"),
                        rs.getInt("baseline_days")))
                .list();
        FinanceAccountPageView.Model model = new FinanceAccountPageView.Model(principal.get(), account.get(), shown,
                spend.cost(accountId, period.start(), period.end()), runways.of(accountId, clock.instant(), false).orElse(null),
                anomalies);
        return html(HttpStatus.OK, FinanceAccountPageView.page(model));
    }

    /** The finance page's signed-in admin or finance principal while its token is live. */
    private Optional<ApiPrincipal> signedIn(HttpServletRequest request) {
        return tokens.signedIn(request).filter(p -> p.role() == Role.ADMIN || p.role() == Role.FINANCE);
    }

    private static ResponseEntity<String> redirect(String location) {
        return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(location)).cacheControl(CacheControl.noStore()).build();
    }

    private ResponseEntity<String> html(HttpStatus status, FinanceAccountPageView.Body body) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        String nonce = Base64.getEncoder().encodeToString(bytes);
        return ResponseEntity.status(status)
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore())
                .header("Content-Security-Policy", "default-src 'none'; style-src 'nonce-" + nonce + "'; img-src 'self'; "
                        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .body(body.render(nonce));
    }
}
