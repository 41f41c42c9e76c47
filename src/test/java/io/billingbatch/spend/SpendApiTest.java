package io.billingbatch.spend;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.access.Role;
import io.billingbatch.api.ServerTestSupport;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.LedgerFixture;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;
import io.billingbatch.topup.JdbcTopUpPolicies;
import io.billingbatch.topup.LowBalanceAlerts;
import io.billingbatch.topup.TopUpPolicy;
import io.billingbatch.webhook.WebhookSubscriptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 over real HTTP and through its jobs, in the shared server context: every spend endpoint
 * for every role, the cost endpoint against the cost report, the estimate against the rate card,
 * the runway (and its job and event), the anomaly job and the pause flag. Its data lives in 2038,
 * which no other test uses.
 */
class SpendApiTest extends ServerTestSupport {

    @Autowired
    JobOperator jobOperator;

    @Autowired
    @Qualifier("costReportJob")
    Job costReportJob;

    @Autowired
    @Qualifier("runwayJob")
    Job runwayJob;

    @Autowired
    @Qualifier("spendAnomaliesJob")
    Job spendAnomaliesJob;

    @Autowired
    ReportStore store;

    @Autowired
    JdbcTopUpPolicies policies;

    @Autowired
    LowBalanceAlerts alerts;

    @Autowired
    WebhookSubscriptions subscriptions;

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    // ---- roles ----------------------------------------------------------------------------------------------

    @Test
    void everyEndpointAnswersItsOwnCustomerAdminAndFinanceAndHidesTheAccountFromAnotherCustomer() {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID customer = UUID.randomUUID();
        UUID account = ledger.account("roles", customer);
        ledger.topUp(account, 50_000_000, at("2038-03-02T10:00:00Z"));
        ledger.call(account, 60, at("2038-03-03T10:00:00Z"));
        Map<String, String> tokens = Map.of("own customer", customerToken(customer), "admin", token(Role.ADMIN), "finance",
                token(Role.FINANCE));
        String otherCustomer = customerToken(UUID.randomUUID());

        for (String path : List.of("/billings?start=2038-03-01&end=2038-04-01", "/cost?start=2038-03-01&end=2038-04-01",
                "/runway", "/estimate")) {
            String url = "/v1.0/billing_accounts/" + account + path;
            tokens.forEach((who, token) -> assertThat(call(url, token).status()).as(who + " " + path).isEqualTo(200));
            Reply hidden = call(url, otherCustomer);
            assertThat(hidden.status()).as("another customer " + path).isEqualTo(404);
            assertThat(hidden.json().get("message").asString()).isEqualTo("billing account " + account + " does not exist");
            assertThat(call(url, null).status()).as("no token " + path).isEqualTo(401);
        }
        assertThat(call("/v1.0/billing_accounts/" + UUID.randomUUID() + "/cost?start=2038-03-01&end=2038-04-01",
                token(Role.ADMIN)).status()).isEqualTo(404);
    }

    private Reply call(String url, String token) {
        boolean estimate = url.endsWith("/estimate");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(url));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (estimate) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"calls\": 10, \"avg_call_seconds\": 60}"));
        }
        return send(request);
    }

    // ---- billing history ------------------------------------------------------------------------------------

    @Test
    void theHistoryListsThePeriodsRowsNewestFirstInPagesInTheDocumentsStyle() {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID customer = UUID.randomUUID();
        UUID account = ledger.account("history", customer);
        UUID opening = ledger.topUp(account, 100_000_000, at("2038-02-28T23:59:59Z")); // before the period
        UUID first = ledger.call(account, 90, at("2038-03-01T00:00:00Z")); // at its start: in it
        UUID sms = ledger.sms(account, at("2038-03-05T08:00:00Z"));
        UUID deleted = ledger.sms(account, at("2038-03-06T08:00:00Z"));
        ledger.softDelete(deleted, at("2038-03-07T00:00:00Z"));
        UUID number = ledger.number(account, at("2038-03-10T09:30:00.123456Z"));
        UUID topUp = ledger.topUp(account, 20_000_000, at("2038-03-20T12:00:00Z"));
        UUID last = ledger.call(account, 30, at("2038-03-31T23:59:59.999999Z"));
        ledger.call(account, 30, at("2038-04-01T00:00:00Z")); // at its end: not in it
        String token = customerToken(customer);

        List<String> ids = new ArrayList<>();
        String pageToken = "";
        int pages = 0;
        do {
            Reply page = get("/v1.0/billing_accounts/" + account + "/billings?start=2038-03-01&end=2038-04-01&page_size=2"
                    + "&page_token=" + pageToken, token);
            assertThat(page.status()).isEqualTo(200);
            page.json().get("result").forEach(row -> ids.add(row.get("id").asString()));
            pageToken = page.json().get("next_page_token").asString();
            pages++;
        } while (!pageToken.isEmpty() && pages < 10);

        assertThat(ids).containsExactly(last.toString(), topUp.toString(), number.toString(), sms.toString(), first.toString());
        JsonNode numberRow = get("/v1.0/billing_accounts/" + account + "/billings?start=2038-03-10&end=2038-03-11", token)
                .json().get("result").get(0);
        assertThat(numberRow.get("id").asString()).isEqualTo(number.toString());
        assertThat(numberRow.get("transaction_type").asString()).isEqualTo("usage");
        assertThat(numberRow.get("reference_type").asString()).isEqualTo("number");
        assertThat(numberRow.get("billable_units").asInt()).isEqualTo(1);
        assertThat(numberRow.get("rate_per_unit").decimalValue()).isEqualByComparingTo("5.00");
        assertThat(numberRow.get("amount").decimalValue()).isEqualByComparingTo("-5.00");
        assertThat(numberRow.get("balance_after").decimalValue()).isEqualByComparingTo("93.184"); // 100 - 1.80 - 2 x 0.008 - 5 (the deleted row moved the balance too)
        assertThat(numberRow.get("tm_posted").asString()).isEqualTo("2038-03-10 09:30:00.123456");

        // a day in another zone: Berlin's 1 March is [28 Feb 23:00Z, 1 Mar 23:00Z), so it holds the opening top-up too
        JsonNode berlin = get("/v1.0/billing_accounts/" + account + "/billings?start=2038-03-01&end=2038-03-02&zone=Europe/Berlin",
                token).json().get("result");
        assertThat(berlin).hasSize(2);
        assertThat(berlin.get(0).get("id").asString()).isEqualTo(first.toString());
        assertThat(berlin.get(1).get("id").asString()).isEqualTo(opening.toString());
    }

    // ---- cost -----------------------------------------------------------------------------------------------

    @Test
    void theCostOfAReportedPeriodEqualsTheAccountsLinesOfTheCostReportToTheMicroDollar() {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID customer = UUID.randomUUID();
        UUID account = ledger.account("cost", customer);
        UUID neighbour = ledger.account("neighbour", customer);
        ledger.topUp(account, 500_000_000, at("2038-04-20T00:00:00Z"));
        ledger.call(account, 61, at("2038-05-01T00:00:00Z")); // at the period's start: counted
        ledger.call(account, 3_599, at("2038-05-14T10:00:00Z"));
        ledger.sms(account, at("2038-05-14T10:01:00Z"));
        ledger.sms(account, at("2038-05-15T10:01:00Z"));
        ledger.number(account, at("2038-05-02T10:00:00Z"));
        ledger.numberRenew(account, at("2038-05-20T10:00:00Z"));
        ledger.post(account, "refund", "refund", 0, 0, 0, 1_500_000, at("2038-05-21T00:00:00Z")); // a credit: not cost
        ledger.softDelete(ledger.call(account, 100, at("2038-05-22T00:00:00Z")), at("2038-05-23T00:00:00Z"));
        ledger.progressingCall(account, at("2038-05-24T00:00:00Z"));
        UUID noAmount = ledger.call(account, 10, at("2038-05-25T00:00:00Z"));
        jdbc.update("UPDATE billing_billings SET amount_credit = NULL WHERE id = ?", noAmount); // rejected by the report
        ledger.post(account, "usage", "call", 1, 1, 20_000, -2_000_000_000_000L, at("2038-05-26T00:00:00Z")); // beyond the bound
        ledger.post(account, "usage", "fax", 1, 1, 20_000, -20_000, at("2038-05-27T00:00:00Z")); // unknown type
        UUID failed = ledger.call(account, 10, at("2038-05-28T00:00:00Z"));
        jdbc.update("UPDATE billing_billings SET status = 'failed' WHERE id = ?", failed); // unknown status
        ledger.call(account, 45, at("2038-06-01T00:00:00Z")); // at the end: next period
        ledger.call(neighbour, 1_000, at("2038-05-14T10:00:00Z"));

        JobExecution report = start(costReportJob, "2038-05");
        assertThat(report.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        Map<String, Long> reported = new HashMap<>();
        jdbc.query("SELECT type, cost_credit FROM cost_summary WHERE period = '2038-05' AND zone = 'UTC' AND account_id = ?",
                (java.sql.ResultSet rs) -> {
                    reported.put(rs.getString(1), rs.getLong(2));
                }, account);

        JsonNode cost = get("/v1.0/billing_accounts/" + account + "/cost?start=2038-05-01&end=2038-06-01&zone=UTC",
                customerToken(customer)).json();

        assertThat(reported).containsOnlyKeys("call", "sms", "number");
        assertThat(micros(cost.get("costs").get("calls"))).isEqualTo(reported.get("call")).isEqualTo((61 + 3_599) * 20_000L);
        assertThat(micros(cost.get("costs").get("sms"))).isEqualTo(reported.get("sms")).isEqualTo(16_000L);
        assertThat(micros(cost.get("costs").get("phone_numbers"))).isEqualTo(reported.get("number")).isEqualTo(10_000_000L);
        assertThat(micros(cost.get("total_spent"))).isEqualTo(reported.values().stream().mapToLong(Long::longValue).sum());
        assertThat(cost.get("account_id").asString()).isEqualTo(account.toString());
        assertThat(cost.get("period").get("start").asString()).isEqualTo("2038-05-01 00:00:00.000000");
        assertThat(cost.get("period").get("end").asString()).isEqualTo("2038-06-01 00:00:00.000000");
        // the same month given as instants
        JsonNode instants = get("/v1.0/billing_accounts/" + account + "/cost?start=2038-05-01T00:00:00Z&end=2038-06-01T00:00:00Z",
                token(Role.FINANCE)).json();
        assertThat(instants.get("total_spent")).isEqualTo(cost.get("total_spent"));
    }

    private static long micros(JsonNode usd) {
        return usd.decimalValue().movePointRight(6).longValueExact();
    }

    private JobExecution start(Job job, String period) {
        try {
            return jobOperator.start(job, new PeriodJobParameters(ReportPeriod.parse(period, "UTC"), 1).toJobParameters());
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private JobExecution start(Job job, String period, long revision) {
        try {
            return jobOperator.start(job, new PeriodJobParameters(ReportPeriod.parse(period, "UTC"), revision).toJobParameters());
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void aBadPeriodIsA400WithOneLine() {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("bad periods");
        String admin = token(Role.ADMIN);
        Map<String, String> cases = Map.of(
                "", "start and end are required",
                "?start=2038-05-01", "start and end are required",
                "?start=2038-06-01&end=2038-05-01", "start must be before end",
                "?start=2038-05-01&end=2038-05-01", "start must be before end",
                "?start=2037-01-01&end=2038-05-01", "at most 400 days",
                "?start=yesterday&end=2038-05-01", "start 'yesterday' is not a date like 2026-10-01",
                "?start=2038-05-01&end=2038-06-01&zone=Mars/Olympus", "zone",
                "?start=1900-05-01&end=2038-06-01", "between the years 2000 and 2999",
                "?start=2038-13-01&end=2038-06-01", "is not a date");
        cases.forEach((query, reason) -> {
            Reply reply = get("/v1.0/billing_accounts/" + account + "/cost" + query, admin);
            assertThat(reply.status()).as(query).isEqualTo(400);
            assertOneLine(reply, reason);
        });
        assertOneLine(get("/v1.0/billing_accounts/" + account + "/billings?page_size=0", admin), "page_size must be");
        assertOneLine(get("/v1.0/billing_accounts/" + account + "/billings?page_token=%2Fx", admin), "page_token");
        assertOneLine(get("/v1.0/billing_accounts/not-an-id/cost?start=2038-05-01&end=2038-06-01", admin), "uuid");
    }

    private static void assertOneLine(Reply reply, String reason) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        String message = reply.json().get("message").asString();
        assertThat(message).as(reply.toString()).contains(reason).doesNotContain("\n").doesNotContain("java.")
                .doesNotContain("io.billingbatch").doesNotContain("Exception");
    }

    // ---- estimate -------------------------------------------------------------------------------------------

    @Test
    void theEstimateUsesTodaysRatesOfTheRateCardNotTomorrows() {
        clock.pin(at("2038-07-15T12:00:00Z"));
        jdbc.update("INSERT INTO billing_rates VALUES ('call', 'second', 25000, '2038-07-10T00:00:00Z'),"
                + " ('call', 'second', 99000, '2038-07-16T00:00:00Z'), ('sms', 'message', 9000, '2038-07-16T00:00:00Z')");
        try {
            LedgerFixture ledger = new LedgerFixture(jdbc);
            UUID customer = UUID.randomUUID();
            UUID rich = ledger.account("rich", customer);
            ledger.topUp(rich, 3_000_000_000L, at("2038-07-01T00:00:00Z"));
            UUID poor = ledger.account("poor", customer);
            ledger.topUp(poor, 100_000_000, at("2038-07-01T00:00:00Z"));
            String body = "{\"calls\": 1000, \"avg_call_seconds\": 90, \"sms\": 500, \"numbers\": 3, \"buffer_percent\": 20}";

            JsonNode yes = post("/v1.0/billing_accounts/" + rich + "/estimate", body, customerToken(customer)).json();
            JsonNode no = post("/v1.0/billing_accounts/" + poor + "/estimate", body, token(Role.FINANCE)).json();

            assertThat(yes.get("rates").get("call_per_second").decimalValue()).isEqualByComparingTo("0.025"); // in force since the 10th
            assertThat(yes.get("rates").get("sms_per_message").decimalValue()).isEqualByComparingTo("0.008"); // tomorrow's 0.009 not yet
            assertThat(yes.get("costs").get("calls").decimalValue()).isEqualByComparingTo("2250.00");
            assertThat(yes.get("costs").get("sms").decimalValue()).isEqualByComparingTo("4.00");
            assertThat(yes.get("costs").get("phone_numbers").decimalValue()).isEqualByComparingTo("15.00");
            assertThat(yes.get("estimated_cost").decimalValue()).isEqualByComparingTo("2269.00");
            assertThat(yes.get("required_balance").decimalValue()).isEqualByComparingTo("2722.80");
            assertThat(yes.get("current_balance").decimalValue()).isEqualByComparingTo("3000.00");
            assertThat(yes.get("can_proceed").asBoolean()).isTrue();
            assertThat(yes.get("shortfall").decimalValue()).isEqualByComparingTo("0");
            assertThat(no.get("can_proceed").asBoolean()).isFalse();
            assertThat(no.get("shortfall").decimalValue()).isEqualByComparingTo("2622.80");

            clock.pin(at("2038-07-16T00:00:00Z")); // tomorrow has come: its rates are in force
            JsonNode tomorrow = post("/v1.0/billing_accounts/" + rich + "/estimate", body, token(Role.ADMIN)).json();
            assertThat(tomorrow.get("costs").get("calls").decimalValue()).isEqualByComparingTo("8910.00");
            assertThat(tomorrow.get("costs").get("sms").decimalValue()).isEqualByComparingTo("4.50");
        }
        finally {
            jdbc.update("DELETE FROM billing_rates WHERE effective_from >= '2038-01-01T00:00:00Z'");
            clock.unpin();
        }
    }

    @Test
    void aHostileEstimateIsA400WithOneLine() {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("hostile");
        String admin = token(Role.ADMIN);
        Map<String, String> cases = Map.of(
                "{\"calls\": -1}", "calls must be a whole number from 0 to 10000000, was -1",
                "{\"calls\": 1.5}", "calls",
                "{\"calls\": \"10\"}", "calls",
                "{\"calls\": 99999999999}", "calls must be a whole number from 0 to 10000000",
                "{\"calls\": 1, \"avg_call_seconds\": 1000000}", "avg_call_seconds",
                "{\"buffer_percent\": 5000}", "buffer_percent",
                "{\"calls\": 1, \"rate\": 0}", "unknown field 'rate'",
                "[]", "the body must be",
                "{\"calls\": 99999999999999999999999}", "calls");
        cases.forEach((body, reason) -> assertOneLine(post("/v1.0/billing_accounts/" + account + "/estimate", body, admin), reason));
    }

    // ---- runway ---------------------------------------------------------------------------------------------

    private static final Instant NOW = Instant.parse("2038-09-10T12:00:00Z");

    /** $100 topped up, $62 of calls: $60 in the last 24 hours (none in the last hour), $2 three days ago. */
    private UUID spendingAccount(LedgerFixture ledger, String name, UUID customer) {
        UUID account = ledger.account(name, customer);
        ledger.topUp(account, 100_000_000, NOW.minusSeconds(5 * 86_400));
        ledger.call(account, 100, NOW.minusSeconds(3 * 86_400));
        for (int hour = 2; hour <= 20; hour += 2) {
            ledger.call(account, 300, NOW.minusSeconds(hour * 3_600L));
        }
        return account;
    }

    @Test
    void theRunwayOfASpendingAQuietAndARefilledAccount() {
        clock.pin(NOW);
        try {
            LedgerFixture ledger = new LedgerFixture(jdbc);
            UUID customer = UUID.randomUUID();
            UUID quiet = ledger.account("quiet", customer);
            ledger.topUp(quiet, 100_000_000, NOW.minusSeconds(10 * 86_400));
            UUID spending = spendingAccount(ledger, "spending", customer);
            UUID refilled = spendingAccount(ledger, "refilled", customer);
            policies.save(TopUpPolicy.fixed(refilled, 50_000_000, 100_000_000, 1, 1_000_000_000));
            String token = customerToken(customer);

            JsonNode none = get("/v1.0/billing_accounts/" + quiet + "/runway", token).json();
            JsonNode burning = get("/v1.0/billing_accounts/" + spending + "/runway", token).json();
            JsonNode refills = get("/v1.0/billing_accounts/" + refilled + "/runway", token).json();

            assertThat(none.get("burn_rate_per_hour").decimalValue()).isEqualByComparingTo("0");
            assertThat(none.get("hours_left").isNull()).isTrue();
            assertThat(none.get("runs_out_at").isNull()).isTrue();
            assertThat(none.get("auto_topup").asString()).isEqualTo("none");
            assertThat(burning.get("balance").decimalValue()).isEqualByComparingTo("38.00");
            assertThat(burning.get("spent").get("last_hour").decimalValue()).isEqualByComparingTo("0");
            assertThat(burning.get("spent").get("last_day").decimalValue()).isEqualByComparingTo("60.00");
            assertThat(burning.get("spent").get("last_7_days").decimalValue()).isEqualByComparingTo("62.00");
            assertThat(burning.get("burn_rate_per_hour").decimalValue()).isEqualByComparingTo("2.50");
            assertThat(burning.get("hours_left").decimalValue()).isEqualByComparingTo("15.20");
            assertThat(burning.get("runs_out_at").asString()).isEqualTo("2038-09-11 03:12:00.000000");
            assertThat(burning.get("as_of").asString()).isEqualTo("2038-09-10 12:00:00.000000");
            assertThat(burning.get("auto_topup").asString()).isEqualTo("none");
            assertThat(refills.get("hours_left").decimalValue()).isEqualByComparingTo("15.20");
            assertThat(refills.get("auto_topup").asString()).isEqualTo("refills");

            // a campaign that started this hour counts at once: the last hour's rate is above the day's average
            ledger.call(quiet, 600, NOW.minusSeconds(60)); // $12 in the last hour
            JsonNode started = get("/v1.0/billing_accounts/" + quiet + "/runway", token).json();
            assertThat(started.get("burn_rate_per_hour").decimalValue()).isEqualByComparingTo("12.00");
            assertThat(started.get("hours_left").decimalValue()).isEqualByComparingTo("7.33"); // $88 / $12
        }
        finally {
            clock.unpin();
        }
    }

    @Test
    void theRunwayJobWritesEveryAccountByHoursLeftAndRaisesRunwayLowOncePerAccountAndDay() throws Exception {
        clock.pin(NOW);
        try {
            LedgerFixture ledger = new LedgerFixture(jdbc);
            UUID customer = UUID.randomUUID();
            UUID quiet = ledger.account("quiet", customer);
            ledger.topUp(quiet, 100_000_000, NOW.minusSeconds(10 * 86_400));
            UUID spending = spendingAccount(ledger, "spending", customer);
            UUID refilled = spendingAccount(ledger, "refilled", customer);
            policies.save(TopUpPolicy.fixed(refilled, 50_000_000, 100_000_000, 1, 1_000_000_000));
            subscriptions.create(customer, "runway watch", "http://127.0.0.1:9/hook", "POST", List.of("billing_account.runway_low"));

            JobExecution first = start(runwayJob, "2038-09-10");
            JobExecution again = start(runwayJob, "2038-09-10", 2); // a rerun of the day: no second alert

            assertThat(first.getStatus()).isEqualTo(BatchStatus.COMPLETED);
            assertThat(again.getStatus()).isEqualTo(BatchStatus.COMPLETED);
            List<String> payloads = jdbc.queryForList("SELECT payload FROM webhook_outbox WHERE event_type = 'billing_account.runway_low'"
                    + " AND subscription_id IN (SELECT id FROM webhook_subscriptions WHERE customer_id = ?)", String.class, customer);
            assertThat(payloads).hasSize(1);
            JsonNode event = JSON.readTree(payloads.get(0));
            assertThat(event.get("event_type").asString()).isEqualTo("billing_account.runway_low");
            assertThat(event.get("timestamp").asString()).isEqualTo("2038-09-10T12:00:00.000000Z");
            assertThat(event.get("data").get("id").asString()).isEqualTo(spending.toString());
            assertThat(event.get("data").get("balance").decimalValue()).isEqualByComparingTo("38.00");
            assertThat(event.get("data").get("hours_left").decimalValue()).isEqualByComparingTo("15.20");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM runway_alerts WHERE account_id IN (?, ?, ?)", Long.class, quiet,
                    spending, refilled)).isEqualTo(1);

            Path csv = store.directory("2038-09-10").resolve("runway-2038-09-10.csv");
            assertThat(store.directory("2038-09-10").resolve("runway-2038-09-10.xlsx")).exists();
            List<String> lines = Files.readAllLines(csv);
            assertThat(lines.get(0)).startsWith("account_id,customer_id,account_name,balance_usd,");
            int spendingLine = lineOf(lines, spending);
            int quietLine = lineOf(lines, quiet);
            assertThat(spendingLine).isPositive().isLessThan(quietLine); // 15.20 hours before "not spending"
            assertThat(lines.get(spendingLine)).contains(",15.20,912,2038-09-11T03:12:00Z,none,false,2038-09-10T12:00:00Z");
            assertThat(lines.get(lineOf(lines, refilled))).contains(",15.20,912,").contains(",refills,");
            assertThat(lines.get(quietLine)).contains(",,,,none,false,");
        }
        finally {
            clock.unpin();
        }
    }

    private static int lineOf(List<String> lines, UUID account) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(account.toString())) {
                return i;
            }
        }
        return -1;
    }

    // ---- spend anomalies ------------------------------------------------------------------------------------

    @Test
    void theAnomalyJobReportsASpikeOnceAndAnOrdinaryDayNot() throws Exception {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID customer = UUID.randomUUID();
        UUID account = ledger.account("spiky", customer);
        ledger.topUp(account, 1_000_000_000, at("2038-10-20T00:00:00Z"));
        for (LocalDate day = LocalDate.parse("2038-11-01"); day.isBefore(LocalDate.parse("2038-11-15")); day = day.plusDays(1)) {
            ledger.call(account, 60, Instant.parse(day + "T10:00:00Z")); // $1.20 a day
        }
        for (int i = 0; i < 3; i++) {
            ledger.call(account, 5_000, Instant.parse("2038-11-15T1" + i + ":00:00Z")); // $300.00 in a day
        }
        subscriptions.create(customer, "anomaly watch", "http://127.0.0.1:9/hook", "POST", List.of("billing_account.spend_anomaly"));

        JobExecution ordinary = start(spendAnomaliesJob, "2038-11-14");
        JobExecution spike = start(spendAnomaliesJob, "2038-11-15");
        JobExecution rerun = start(spendAnomaliesJob, "2038-11-15", 2);

        assertThat(List.of(ordinary.getStatus(), spike.getStatus(), rerun.getStatus())).containsOnly(BatchStatus.COMPLETED);
        assertThat(Files.readAllLines(store.directory("2038-11-14").resolve("spend-anomalies-2038-11-14.csv"))
                .stream().filter(line -> line.contains(account.toString()))).isEmpty();
        List<String> lines = Files.readAllLines(store.directory("2038-11-15").resolve("spend-anomalies-2038-11-15.csv"));
        assertThat(lines.get(0)).isEqualTo("day,zone,account_id,customer_id,account_name,type,spend_usd,baseline_median_usd,"
                + "baseline_spread_usd,baseline_days");
        assertThat(lines).contains("2038-11-15,UTC," + account + "," + customer + ",spiky,call,300.000000,1.200000,0.000000,14");
        List<String> events = jdbc.queryForList("SELECT payload FROM webhook_outbox WHERE event_type = 'billing_account.spend_anomaly'"
                + " AND subscription_id IN (SELECT id FROM webhook_subscriptions WHERE customer_id = ?)", String.class, customer);
        assertThat(events).hasSize(1);
        JsonNode data = JSON.readTree(events.get(0)).get("data");
        assertThat(data.get("id").asString()).isEqualTo(account.toString());
        assertThat(data.get("type").asString()).isEqualTo("call");
        assertThat(data.get("spend").decimalValue()).isEqualByComparingTo("300.00");
    }

    // ---- the pause flag -------------------------------------------------------------------------------------

    @Test
    void anAccountBelowCriticalIsPausedAndResumesOnceBackAtTheLowLevel() {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID customer = UUID.randomUUID();
        UUID account = ledger.account("pausing", customer);
        ledger.topUp(account, 3_000_000, at("2038-12-01T00:00:00Z")); // $3.00: below the critical $5.00
        String token = customerToken(customer);
        String admin = token(Role.ADMIN);
        assertThat(get("/v1.0/billing_accounts/" + account, token).json().get("traffic_paused").asBoolean()).isFalse();

        alerts.raise(LocalDate.parse("2038-12-01"));
        JsonNode paused = get("/v1.0/billing_accounts/" + account, token).json();
        assertThat(paused.get("traffic_paused").asBoolean()).isTrue();
        assertThat(jdbc.queryForObject("SELECT status FROM billing_accounts WHERE id = ?", String.class, account)).isEqualTo("active");
        assertThat(get("/v1.0/billing_accounts/" + account + "/runway", token).json().get("traffic_paused").asBoolean()).isTrue();

        // $13.00: above critical, still below the low level $20.00: stays paused (no flapping)
        Reply credit = post("/v1.0/billing_accounts/" + account + "/balance", "{\"amount\": 10.00}", admin);
        assertThat(credit.status()).isEqualTo(200);
        assertThat(credit.json().get("traffic_paused").asBoolean()).isTrue();
        alerts.raise(LocalDate.parse("2038-12-01"));
        assertThat(get("/v1.0/billing_accounts/" + account, token).json().get("traffic_paused").asBoolean()).isTrue();

        // $23.00: back at the low level, the credit itself resumes it
        Reply back = post("/v1.0/billing_accounts/" + account + "/balance", "{\"amount\": 10.00}", admin);
        assertThat(back.json().get("traffic_paused").asBoolean()).isFalse();
        JsonNode listed = get("/v1.0/billing_accounts", token).json().get("result").get(0);
        assertThat(listed.get("traffic_paused").asBoolean()).isFalse();

        // and the alert clears a pause whose balance came back another way (a writer of the ledger contract)
        jdbc.update("UPDATE billing_accounts SET balance_credit = 1000000 WHERE id = ?", account);
        alerts.raise(LocalDate.parse("2038-12-02"));
        assertThat(get("/v1.0/billing_accounts/" + account, token).json().get("traffic_paused").asBoolean()).isTrue();
        jdbc.update("UPDATE billing_accounts SET balance_credit = 20000000 WHERE id = ?", account);
        alerts.raise(LocalDate.parse("2038-12-02"));
        assertThat(get("/v1.0/billing_accounts/" + account, token).json().get("traffic_paused").asBoolean()).isFalse();
    }

    // ---- the finance page's account view --------------------------------------------------------------------

    @Test
    void theFinancePageShowsOneAccountsCostRunwayAndAnomalies() {
        LedgerFixture ledger = new LedgerFixture(jdbc);
        UUID account = ledger.account("<b>Acme</b>");
        ledger.topUp(account, 100_000_000, at("2038-01-02T00:00:00Z"));
        ledger.call(account, 100, at("2038-01-03T00:00:00Z"));
        ledger.sms(account, at("2038-01-04T00:00:00Z"));
        String cookie = sessionCookie(token(Role.FINANCE));

        assertThat(page("/finance", cookie).text()).contains("id=\"account-form\"").contains("action=\"/finance/accounts\"");
        Reply found = page("/finance/accounts?id=" + account + "&month=2038-01", cookie);
        assertThat(found.status()).isEqualTo(303);
        assertThat(found.header("Location")).isEqualTo("/finance/accounts/" + account + "?month=2038-01");
        Reply view = page("/finance/accounts/" + account + "?month=2038-01", cookie);

        assertThat(view.status()).isEqualTo(200);
        assertThat(view.text()).contains("&lt;b&gt;Acme&lt;/b&gt;").doesNotContain("<b>Acme")
                .contains("<td>call</td><td class=\"num\">2.000000</td>").contains("<td>sms</td><td class=\"num\">0.008000</td>")
                .contains("<td>total</td><td class=\"num\">2.008000</td>").contains("id=\"runway\"")
                .contains("id=\"no-anomalies\"");
        assertThat(page("/finance/accounts/" + account, null).status()).isEqualTo(303); // not signed in
        assertThat(page("/finance/accounts/" + UUID.randomUUID(), cookie).status()).isEqualTo(404);
        assertThat(page("/finance/accounts/" + account + "?month=2038-13", cookie).status()).isEqualTo(400);
        assertThat(page("/finance/accounts?id=nope", cookie).status()).isEqualTo(400);
    }

    private String sessionCookie(String token) {
        Reply signIn = send(HttpRequest.newBuilder(uri("/signin")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))));
        String setCookie = signIn.header("Set-Cookie");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private Reply page(String path, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return send(request);
    }
}
