package io.billingbatch.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import io.billingbatch.access.ApiAudit;
import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.JdbcApiTokens;
import io.billingbatch.access.Role;
import io.billingbatch.costreport.CostReportRepository;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.Manifest;
import io.billingbatch.report.ReportFile;
import io.billingbatch.report.ReportStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import org.springframework.batch.core.job.Job;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The finance page: sign in with an admin or finance token (kept in the HTTP session, whose cookie
 * is HttpOnly and SameSite=Strict), pick a month, see its cost totals by type, a chart of the last
 * twelve months and download links; admins also see recent job executions and launch jobs.
 * Server-rendered by {@link FinancePageView}; the download links go through {@code /v1.0}, which
 * accepts the signed-in session.
 */
@Controller
class FinancePageController {

    static final int CHART_MONTHS = 12;

    private static final int RECENT_EXECUTIONS = 15;

    private final JdbcApiTokens tokens;

    private final ApiAudit audit;

    private final CostReportRepository costReports;

    private final ReportStore store;

    private final RecentJobExecutions executions;

    private final ObjectProvider<Job> jobs;

    private final Clock clock;

    private final SecureRandom random = new SecureRandom();

    private final MonthAtAGlance glance;

    FinancePageController(JdbcApiTokens tokens, ApiAudit audit, CostReportRepository costReports, ReportStore store,
            RecentJobExecutions executions, ObjectProvider<Job> jobs, Clock clock, MonthAtAGlance glance) {
        this.glance = glance;
        this.clock = clock;
        this.tokens = tokens;
        this.audit = audit;
        this.costReports = costReports;
        this.store = store;
        this.executions = executions;
        this.jobs = jobs;
    }

    @GetMapping("/")
    ResponseEntity<String> home(HttpServletRequest request) {
        if (signedIn(request).isPresent()) {
            return redirect("/finance");
        }
        return html(HttpStatus.OK, FinancePageView.signIn(null, nonce()));
    }

    @PostMapping(path = "/signin", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<String> signIn(@RequestParam(defaultValue = "") String token, HttpServletRequest request) {
        Optional<ApiPrincipal> principal = tokens.resolve(token);
        if (principal.isEmpty()) {
            return html(HttpStatus.UNAUTHORIZED, FinancePageView.signIn("That token is not valid (unknown or revoked).", nonce()));
        }
        if (principal.get().role() == Role.CUSTOMER) {
            return html(HttpStatus.FORBIDDEN, FinancePageView.signIn(
                    "Customer tokens cannot sign in to the finance page: it is for admin and finance tokens.", nonce()));
        }
        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate(); // a new session id at sign-in: no session fixation
        }
        request.getSession(true).setAttribute(ApiPrincipal.SESSION_ATTRIBUTE, principal.get());
        audit.record(principal.get(), "page.signin", "finance-page", null);
        return redirect("/finance");
    }

    @PostMapping("/signout")
    ResponseEntity<String> signOut(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        return redirect("/");
    }

    @GetMapping("/finance")
    ResponseEntity<String> finance(@RequestParam(required = false) String month, HttpServletRequest request) {
        Optional<ApiPrincipal> principal = signedIn(request);
        if (principal.isEmpty()) {
            return redirect("/");
        }
        YearMonth shown;
        try {
            shown = ReportPeriod.shownMonth(month, clock);
        }
        catch (IllegalArgumentException ex) {
            return html(HttpStatus.BAD_REQUEST, FinancePageView.problem(principal.get(), ex.getMessage(), nonce()));
        }
        ReportPeriod period = ReportPeriod.parse(shown.toString(), "UTC");
        YearMonth first = shown.minusMonths(CHART_MONTHS - 1L);
        List<YearMonth> chartMonths = new ArrayList<>();
        for (YearMonth m = first; !m.isAfter(shown); m = m.plusMonths(1)) {
            chartMonths.add(m);
        }
        boolean admin = principal.get().role() == Role.ADMIN;
        var monthlyCosts = costReports.costByMonth(first, shown, period.zone());
        FinancePageView.Model model = new FinancePageView.Model(principal.get(), shown, monthChoices(shown),
                costReports.totalsByType(period), CostChart.svg(chartMonths, monthlyCosts),
                reportFolders(shown),
                admin ? executions.latest(RECENT_EXECUTIONS) : List.of(),
                admin ? jobs.stream().map(Job::getName).sorted().toList() : List.of(),
                CostChart.table(chartMonths, monthlyCosts), glance.reconciliation(period), glance.topAccounts(period));
        return html(HttpStatus.OK, FinancePageView.page(model, nonce()));
    }

    /** The month folder and the day folders of the month, each with its report files. */
    private List<FinancePageView.Folder> reportFolders(YearMonth month) {
        List<FinancePageView.Folder> folders = new ArrayList<>();
        List<String> periods = store.periods().stream()
                .filter(period -> period.equals(month.toString()) || period.startsWith(month + "-"))
                .sorted()
                .toList();
        for (String period : periods) {
            Manifest manifest = store.readManifest(period).orElseGet(() -> new Manifest(period, store.list(period)));
            List<ReportFile> files = manifest.files().stream()
                    .filter(file -> store.find(period, file.name()).isPresent()).toList();
            if (!files.isEmpty()) {
                folders.add(new FinancePageView.Folder(period, files));
            }
        }
        return folders;
    }

    /** The months with report folders and the last thirteen months, newest first. */
    private List<YearMonth> monthChoices(YearMonth shown) {
        TreeSet<YearMonth> months = new TreeSet<>();
        YearMonth now = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        for (int i = 0; i <= CHART_MONTHS; i++) {
            months.add(now.minusMonths(i));
        }
        for (String period : store.periods()) {
            months.add(YearMonth.parse(period.substring(0, 7)));
        }
        months.add(shown);
        return new ArrayList<>(months.descendingSet());
    }

    private Optional<ApiPrincipal> signedIn(HttpServletRequest request) {
        return tokens.signedIn(request);
    }

    private String nonce() {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static ResponseEntity<String> redirect(String location) {
        return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(location))
                .cacheControl(CacheControl.noStore()).build();
    }

    private static ResponseEntity<String> html(HttpStatus status, FinancePageView.Html page) {
        return ResponseEntity.status(status)
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noStore())
                .header("Content-Security-Policy", "default-src 'none'; style-src 'nonce-" + page.nonce()
                        + "'; script-src 'nonce-" + page.nonce() + "'; connect-src 'self'; img-src 'self'; "
                        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .body(page.body());
    }
}
