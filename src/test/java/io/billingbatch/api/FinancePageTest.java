package io.billingbatch.api;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.billingbatch.access.JdbcApiTokens;
import io.billingbatch.access.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** The finance page over real HTTP: sign-in, the session cookie, totals, chart, downloads and the admin part. */
class FinancePageTest extends ServerTestSupport {

    static final String JANUARY = "2034-01";

    static final String FEBRUARY = "2034-02";

    @Autowired
    JobOperator jobOperator;

    @Autowired
    Job costReportJob;

    @Autowired
    ReportStore store;

    private static boolean reportsMade;

    @BeforeEach
    void givenCostReportsForTwoMonths() throws Exception {
        if (reportsMade) {
            return;
        }
        FileSystemUtils.deleteRecursively(store.directory(JANUARY));
        FileSystemUtils.deleteRecursively(store.directory(FEBRUARY));
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID acme = ledger.account("Acme <Telecom> & Co");
        UUID beta = ledger.account("Beta Mobile");
        ledger.topUp(acme, 500_000_000, Instant.parse("2033-12-31T00:00:00Z"));
        ledger.call(acme, 120, Instant.parse("2034-01-10T00:00:00Z"));                 // 2.400000
        ledger.call(acme, 300, Instant.parse("2034-02-01T00:00:00Z"));                 // 6.000000
        ledger.call(beta, 30, Instant.parse("2034-02-28T23:59:59Z"));                  // 0.600000
        ledger.sms(beta, Instant.parse("2034-02-03T00:00:00Z"));                       // 0.008000
        ledger.sms(beta, Instant.parse("2034-02-04T00:00:00Z"));                       // 0.008000
        ledger.number(acme, Instant.parse("2034-02-05T00:00:00Z"));                    // 5.000000
        for (String month : List.of(JANUARY, FEBRUARY)) {
            var execution = jobOperator.start(costReportJob,
                    new PeriodJobParameters(ReportPeriod.parse(month, "UTC"), 1).toJobParameters());
            assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        }
        reportsMade = true;
    }

    @Test
    void aFinanceTokenSignsInWithAnHttpOnlyStrictSessionCookieAndSeesTheMonthsTotals() {
        Reply signIn = signIn(token(Role.FINANCE));

        assertThat(signIn.status()).isEqualTo(303);
        assertThat(signIn.header("Location")).endsWith("/finance");
        String setCookie = signIn.header("Set-Cookie");
        assertThat(setCookie).startsWith("JSESSIONID=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        Reply page = page("/finance?month=" + FEBRUARY, cookie);

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'nonce-");
        String html = page.text();
        // amounts for people: thousands separators and cents; the exact micro-dollars in data-usd
        assertThat(totalRow(html, "call")).containsExactly("2", "330", "6.60");
        assertThat(totalRow(html, "sms")).containsExactly("2", "2", "0.02");
        assertThat(totalRow(html, "number")).containsExactly("1", "1", "5.00");
        assertThat(totalRow(html, "total")).containsExactly("5", "", "11.62"); // units of different types do not add up
        assertThat(html).contains("data-usd=\"11.616000\"");
        assertThat(html).contains("<option value=\"2034-02\" selected>");
        assertThat(html).doesNotContain("Recent job executions").doesNotContain("launch-form\"><label");
    }

    @Test
    void withoutAMonthThePageShowsTheNewestMonthThatHasEndedNeverTheRunningOne() {
        String cookie = sessionCookie(token(Role.FINANCE));
        clock.pin(Instant.parse("2034-02-15T12:00:00Z")); // February has a report folder but has not ended
        try {
            String html = page("/finance", cookie).text();

            assertThat(html).contains("<option value=\"2034-01\" selected>").doesNotContain("<option value=\"2034-02\" selected>");
        }
        finally {
            clock.unpin();
        }
    }

    @Test
    void theChartShowsTwelveMonthsWithTheCostOfEachPublishedMonth() {
        String html = page("/finance?month=" + FEBRUARY, sessionCookie(token(Role.FINANCE))).text();

        String svg = html.substring(html.indexOf("<svg"), html.indexOf("</svg>"));
        assertThat(svg.split("class=\"bar\"", -1)).hasSize(13);
        assertThat(svg).contains("data-month=\"2033-03\"").contains("data-month=\"2034-02\"").doesNotContain("2034-03\"");
        assertThat(svg).contains("data-month=\"2034-01\" data-total=\"2.400000\"");
        assertThat(svg).contains("data-month=\"2034-02\" data-total=\"11.616000\"");
        assertThat(svg).contains("data-month=\"2033-12\" data-total=\"0.000000\"");
        assertThat(svg).contains("<title>2034-02 number: 5.000000 USD</title>");
    }

    @Test
    void listsTheMonthsReportsAndThePackAndTheirLinksWorkWithTheSession() throws Exception {
        String cookie = sessionCookie(token(Role.FINANCE));
        String html = page("/finance?month=" + FEBRUARY, cookie).text();

        assertThat(html).contains("href=\"/v1.0/reports/2034-02/cost-report-2034-02.csv\"")
                .contains("href=\"/v1.0/reports/2034-02/cost-report-2034-02.xlsx\"")
                .contains("id=\"pack-link\" href=\"/v1.0/reports/2034-02/pack\"");
        Reply csv = page("/v1.0/reports/2034-02/cost-report-2034-02.csv", cookie);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.bytes()).isEqualTo(Files.readAllBytes(store.directory(FEBRUARY).resolve("cost-report-2034-02.csv")));
        assertThat(page("/v1.0/reports/2034-02/pack", cookie).status()).isEqualTo(200);
        assertThat(page("/v1.0/reports/2034-02/cost-report-2034-02.csv", "JSESSIONID=not-a-session").status()).isEqualTo(401);
    }

    @Test
    void aWrongTokenIsRefusedWithAMessageAndNoSession() {
        Reply reply = signIn("bb_not-a-real-token");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.text()).contains("id=\"signin-error\"").contains("That token is not valid");
        assertThat(reply.header("Set-Cookie")).isNull();
        assertThat(signIn("").status()).isEqualTo(401);
    }

    @Test
    void aCustomerTokenCannotSignIn() {
        Reply reply = signIn(customerToken(UUID.randomUUID()));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.text()).contains("Customer tokens cannot sign in to the finance page");
        assertThat(reply.header("Set-Cookie")).isNull();
    }

    @Test
    void withoutASessionThePageSendsYouToSignInAndSignOutEndsTheSession() {
        Reply anonymous = page("/finance", null);
        assertThat(anonymous.status()).isEqualTo(303);
        assertThat(anonymous.header("Location")).isEqualTo("/");
        assertThat(page("/", null).text()).contains("<form method=\"post\" action=\"/signin\"");

        String cookie = sessionCookie(token(Role.FINANCE));
        assertThat(page("/", cookie).status()).isEqualTo(303);
        Reply signOut = send(HttpRequest.newBuilder(uri("/signout")).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(signOut.status()).isEqualTo(303);

        assertThat(page("/finance", cookie).status()).isEqualTo(303);
        assertThat(page("/v1.0/reports", cookie).status()).isEqualTo(401);
    }

    @Test
    void aChangeMadeWithTheSessionMustComeFromThePageItself() {
        String cookie = sessionCookie(token(Role.ADMIN));
        String body = "{\"period\": \"2034-13\"}"; // refused by validation once it is let in, so nothing runs
        Reply crossSite = send(HttpRequest.newBuilder(uri("/v1.0/jobs/cost-report/executions")).header("Cookie", cookie)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.json().get("message").asString()).contains("X-Billing-Page");
        Reply fromThePage = send(HttpRequest.newBuilder(uri("/v1.0/jobs/cost-report/executions")).header("Cookie", cookie)
                .header("X-Billing-Page", "1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(fromThePage.status()).isEqualTo(400);
        assertThat(page("/v1.0/reports", cookie).status()).isEqualTo(200); // reading needs no header
    }

    @Test
    void signInAndSignOutFromAnotherSiteAreRefused() {
        String form = "token=" + URLEncoder.encode(token(Role.FINANCE), StandardCharsets.UTF_8);
        Reply evilSignIn = send(HttpRequest.newBuilder(uri("/signin")).header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString(form)));
        assertThat(evilSignIn.status()).isEqualTo(403);
        assertThat(evilSignIn.header("Set-Cookie")).isNull();
        assertThat(evilSignIn.text()).contains("another site");
        Reply fetchedCrossSite = send(HttpRequest.newBuilder(uri("/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        assertThat(fetchedCrossSite.status()).isEqualTo(403);
        assertThat(fetchedCrossSite.header("Set-Cookie")).isNull();
        Reply opaqueOrigin = send(HttpRequest.newBuilder(uri("/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "null")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        assertThat(opaqueOrigin.status()).isEqualTo(403);
        // the page's own form: its Referrer-Policy (no-referrer) makes the browser send Origin: null
        Reply ownForm = send(HttpRequest.newBuilder(uri("/signin"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "null")
                .header("Sec-Fetch-Site", "same-origin").POST(HttpRequest.BodyPublishers.ofString(form)));
        assertThat(ownForm.status()).isEqualTo(303);

        String cookie = sessionCookie(token(Role.FINANCE));
        Reply evilSignOut = send(HttpRequest.newBuilder(uri("/signout")).header("Cookie", cookie)
                .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(evilSignOut.status()).isEqualTo(403);
        assertThat(page("/finance", cookie).status()).isEqualTo(200); // still signed in

        Reply ownSignOut = send(HttpRequest.newBuilder(uri("/signout")).header("Cookie", cookie)
                .header("Origin", "http://localhost:" + port).header("Sec-Fetch-Site", "same-origin")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(ownSignOut.status()).isEqualTo(303);
        assertThat(page("/finance", cookie).status()).isEqualTo(303);
    }

    @Test
    void aSessionChangeFromAnotherSiteIsRefusedEvenWithThePageHeader() {
        String cookie = sessionCookie(token(Role.ADMIN));
        Reply reply = send(HttpRequest.newBuilder(uri("/v1.0/jobs/cost-report/executions")).header("Cookie", cookie)
                .header("X-Billing-Page", "1").header("Origin", "https://evil.example")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"period\": \"2034-13\"}")));
        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.json().get("message").asString()).contains("another site");
    }

    @Test
    void revokingTheTokenEndsItsSession() {
        JdbcApiTokens.CreatedToken created = tokens.create("to revoke", Role.FINANCE, null);
        String cookie = sessionCookie(created.secret());
        assertThat(page("/finance", cookie).status()).isEqualTo(200);
        assertThat(page("/v1.0/reports", cookie).status()).isEqualTo(200);

        tokens.revoke(created.principal().tokenId());

        assertThat(page("/v1.0/reports", cookie).status()).isEqualTo(401);
        assertThat(page("/finance", cookie).status()).isEqualTo(303);
    }

    @Test
    void adminsSeeRecentJobExecutionsAndTheLaunchForm() {
        String html = page("/finance?month=" + FEBRUARY, sessionCookie(token(Role.ADMIN))).text();

        assertThat(html).contains("Recent job executions").contains("<td>cost-report</td><td>2034-02</td><td>COMPLETED</td>");
        assertThat(html).contains("<form id=\"launch-form\">").contains("<option value=\"finance-pack\">")
                .contains("<option value=\"cost-report\">").contains("id=\"period\" name=\"period\" value=\"2034-02\"");
        assertThat(html).contains("fetch('/v1.0/jobs/' + encodeURIComponent(job) + '/executions'");
    }

    @Test
    void escapesWhatItShowsAndRefusesMalformedMonths() {
        String name = "<script>alert(1)</script>";
        String secret = tokens.create(name, Role.FINANCE, null).secret();
        String cookie = sessionCookie(secret);

        String html = page("/finance?month=" + FEBRUARY, cookie).text();
        assertThat(html).doesNotContain(name).contains("&lt;script&gt;alert(1)&lt;/script&gt;");

        Reply bad = page("/finance?month=%3Cb%3E2034", cookie);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text()).doesNotContain("<b>2034").contains("&lt;b&gt;2034");
        assertThat(page("/finance?month=2034-02-01", cookie).status()).isEqualTo(400);
    }

    private Reply signIn(String token) {
        return send(HttpRequest.newBuilder(uri("/signin")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))));
    }

    private String sessionCookie(String token) {
        String setCookie = signIn(token).header("Set-Cookie");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private Reply page(String path, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return send(request);
    }

    /** Records, billable units and cost of one row of the totals table. */
    static List<String> totalRow(String html, String type) {
        Matcher row = Pattern.compile("<tr[^>]* data-type=\"" + type + "\"><td>[^<]*</td><td class=\"num records\">([^<]*)</td>"
                + "<td class=\"num units\">([^<]*)</td><td class=\"num cost\"[^>]*>([^<]*)</td></tr>").matcher(html);
        assertThat(row.find()).as("totals row " + type).isTrue();
        return List.of(row.group(1), row.group(2), row.group(3));
    }
}
