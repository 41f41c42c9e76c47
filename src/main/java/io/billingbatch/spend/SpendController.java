package io.billingbatch.spend;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.billingbatch.api.ApiException;
import io.billingbatch.api.VisibleAccounts;
import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.spend.JdbcAccountSpend.BillingRow;
import io.billingbatch.spend.JdbcAccountSpend.Cost;
import io.billingbatch.spend.JdbcAccountSpend.Cursor;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An account's spend over the API: billing history, cost of a period, estimate of planned usage and
 * runway. Every token may read; a customer token only its own accounts (another's is a 404, as for
 * the account itself).
 */
@RestController
@RequestMapping("/v1.0/billing_accounts/{id}")
class SpendController {

    static final int DEFAULT_PAGE_SIZE = 100;

    static final int MAX_PAGE_SIZE = 1000;

    private final VisibleAccounts accounts;

    private final JdbcAccountSpend spend;

    private final JdbcRunways runways;

    private final RateCard rateCard;

    private final Clock clock;

    SpendController(VisibleAccounts accounts, JdbcAccountSpend spend, JdbcRunways runways, RateCard rateCard, Clock clock) {
        this.accounts = accounts;
        this.spend = spend;
        this.runways = runways;
        this.rateCard = rateCard;
        this.clock = clock;
    }

    /** The body of {@code POST .../estimate}; a missing count is 0, a missing buffer 20 %. */
    record EstimateRequest(Long calls, @JsonProperty("avg_call_seconds") Long avgCallSeconds, Long sms, Long numbers,
            @JsonProperty("buffer_percent") Long bufferPercent) {
    }

    @GetMapping("/billings")
    Map<String, Object> billings(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id,
            @RequestParam(required = false) String start, @RequestParam(required = false) String end,
            @RequestParam(required = false) String zone,
            @RequestParam(name = "page_size", required = false) String pageSize,
            @RequestParam(name = "page_token", required = false) String pageToken) {
        visible(principal, id);
        // without bounds: the last 30 days up to now
        SpendPeriod period = period(start != null ? start : clock.instant().minus(Duration.ofDays(30)).toString(),
                end != null ? end : clock.instant().plusSeconds(1).toString(), zone);
        int size = pageSize(pageSize);
        List<BillingRow> rows = spend.history(id, period.start(), period.end(), cursor(pageToken), size);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("result", rows.stream().map(SpendController::billingJson).toList());
        json.put("next_page_token", rows.size() < size ? "" : token(rows.get(rows.size() - 1)));
        return json;
    }

    @GetMapping("/cost")
    Map<String, Object> cost(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id,
            @RequestParam(required = false) String start, @RequestParam(required = false) String end,
            @RequestParam(required = false) String zone) {
        visible(principal, id);
        SpendPeriod period = period(start, end, zone);
        Cost cost = spend.cost(id, period.start(), period.end());
        Map<String, Object> periodJson = new LinkedHashMap<>();
        periodJson.put("start", SpendJson.timestamp(period.start()));
        periodJson.put("end", SpendJson.timestamp(period.end()));
        Map<String, Object> costs = new LinkedHashMap<>();
        costs.put("calls", SpendJson.usd(cost.calls()));
        costs.put("sms", SpendJson.usd(cost.sms()));
        costs.put("phone_numbers", SpendJson.usd(cost.numbers()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("account_id", id.toString());
        json.put("period", periodJson);
        json.put("costs", costs);
        json.put("total_spent", SpendJson.usd(cost.total()));
        return json;
    }

    @PostMapping("/estimate")
    Map<String, Object> estimate(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id,
            @RequestBody EstimateRequest request) {
        BillingAccount account = visible(principal, id);
        Instant now = clock.instant();
        SpendEstimate estimate;
        try {
            estimate = SpendEstimate.of(rateCard.inForce(now), orZero(request.calls()), orZero(request.avgCallSeconds()),
                    orZero(request.sms()), orZero(request.numbers()),
                    request.bufferPercent() == null ? 20 : request.bufferPercent(), account.balance());
        }
        catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(ex.getMessage());
        }
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("call_per_second", SpendJson.usd(estimate.rates().callPerSecond()));
        rates.put("sms_per_message", SpendJson.usd(estimate.rates().smsPerMessage()));
        rates.put("number", SpendJson.usd(estimate.rates().number()));
        Map<String, Object> costs = new LinkedHashMap<>();
        costs.put("calls", SpendJson.usd(estimate.callsCost()));
        costs.put("sms", SpendJson.usd(estimate.smsCost()));
        costs.put("phone_numbers", SpendJson.usd(estimate.numbersCost()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("account_id", id.toString());
        json.put("rates", rates);
        json.put("rates_as_of", SpendJson.timestamp(now));
        json.put("costs", costs);
        json.put("estimated_cost", SpendJson.usd(estimate.estimatedCost()));
        json.put("buffer_percent", estimate.bufferPercent());
        json.put("required_balance", SpendJson.usd(estimate.required()));
        json.put("current_balance", SpendJson.usd(estimate.balance()));
        json.put("can_proceed", estimate.canProceed());
        json.put("shortfall", SpendJson.usd(estimate.shortfall()));
        return json;
    }

    @GetMapping("/runway")
    Map<String, Object> runway(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id) {
        visible(principal, id);
        Runway runway = runways.of(id, clock.instant(), false)
                .orElseThrow(() -> ApiException.notFound("billing account " + id + " is deleted: it has no runway"));
        return runwayJson(runway);
    }

    static Map<String, Object> runwayJson(Runway runway) {
        Map<String, Object> spent = new LinkedHashMap<>();
        spent.put("last_hour", SpendJson.usd(runway.spentLastHour()));
        spent.put("last_day", SpendJson.usd(runway.spentLastDay()));
        spent.put("last_7_days", SpendJson.usd(runway.spentLast7Days()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("account_id", runway.accountId().toString());
        json.put("balance", SpendJson.usd(runway.balance()));
        json.put("spent", spent);
        json.put("burn_rate_per_hour", SpendJson.usd(runway.burnPerHour()));
        json.put("hours_left", runway.hoursLeft());
        json.put("runs_out_at", SpendJson.timestamp(runway.runsOutAt()));
        json.put("auto_topup", runway.autoTopUp());
        json.put("traffic_paused", runway.trafficPaused());
        json.put("as_of", SpendJson.timestamp(runway.asOf()));
        return json;
    }

    private BillingAccount visible(ApiPrincipal principal, UUID id) {
        return accounts.get(principal, id);
    }

    private static SpendPeriod period(String start, String end, String zone) {
        try {
            return SpendPeriod.parse(start, end, zone);
        }
        catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(ex.getMessage());
        }
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static Map<String, Object> billingJson(BillingRow row) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", row.id().toString());
        json.put("transaction_type", row.transactionType());
        json.put("status", row.status());
        json.put("reference_type", row.referenceType());
        json.put("reference_id", row.referenceId() == null ? null : row.referenceId().toString());
        json.put("usage_duration", row.usageDuration());
        json.put("billable_units", row.billableUnits());
        json.put("rate_per_unit", SpendJson.usd(row.ratePerUnit()));
        json.put("amount", SpendJson.usd(row.amount()));
        json.put("balance_after", SpendJson.usd(row.balanceAfter()));
        json.put("tm_billing_start", SpendJson.timestamp(row.billingStart()));
        json.put("tm_billing_end", SpendJson.timestamp(row.billingEnd()));
        json.put("tm_posted", SpendJson.timestamp(row.posted()));
        return json;
    }

    private static int pageSize(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(text.trim());
            if (size >= 1 && size <= MAX_PAGE_SIZE) {
                return size;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw ApiException.badRequest("page_size must be a whole number from 1 to " + MAX_PAGE_SIZE + ", was '"
                + (text.length() > 20 ? text.substring(0, 20) + "..." : text) + "'");
    }

    /** The page token: the last row's posting instant (epoch micros) and posting sequence. */
    private static String token(BillingRow last) {
        long micros = Math.addExact(Math.multiplyExact(last.posted().getEpochSecond(), 1_000_000L), last.posted().getNano() / 1_000);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + last.postingSeq()).getBytes(StandardCharsets.UTF_8));
    }

    private static Cursor cursor(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.UTF_8).split(":");
            if (parts.length == 2) {
                long micros = Long.parseLong(parts[0]);
                return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000),
                        Long.parseLong(parts[1]));
            }
        }
        catch (IllegalArgumentException | java.time.DateTimeException ex) {
            // reported below
        }
        throw ApiException.badRequest("page_token is not a token this API gave out");
    }
}
