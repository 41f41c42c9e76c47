package io.billingbatch.spend;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.XlsxReportWriter;
import io.billingbatch.webhook.BillingAccountEvent;
import io.billingbatch.webhook.WebhookOutbox;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The two steps of the {@code runway} job: alerts (in one transaction with their rows), then the files. */
class RunwayTasklets {

    private static final String RAISE = """
            INSERT INTO runway_alerts (account_id, business_date, hours_left, balance)
            VALUES (:account, :day, :hours_left, :balance)
            ON CONFLICT (account_id, business_date) DO NOTHING
            """;

    /** Shortest runway first; accounts that are not spending last; then by id, so the order is total. */
    static final Comparator<Runway> BY_HOURS_LEFT = Comparator
            .comparing(Runway::hoursLeft, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Runway::accountId);

    private final JdbcRunways runways;

    private final JdbcClient jdbc;

    private final WebhookOutbox outbox;

    private final ReportStore store;

    private final Clock clock;

    private final BigDecimal runwayHours;

    RunwayTasklets(JdbcRunways runways, JdbcClient jdbc, WebhookOutbox outbox, ReportStore store, Clock clock,
            BigDecimal runwayHours) {
        this.runways = runways;
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.store = store;
        this.clock = clock;
        this.runwayHours = runwayHours;
    }

    /** The run's day, its as-of instant (the launch, or the day's end once it is over) and whether that is in the past. */
    record Run(ReportPeriod day, Instant asOf, boolean historic) {
    }

    Run run(JobExecution execution) {
        ReportPeriod day = PeriodJobParameters.from(execution.getJobParameters()).period();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant asOf = RunwayJobConfiguration.asOf(execution.getExecutionContext(), now.isBefore(day.end()) ? now : day.end());
        return new Run(day, asOf, asOf.isBefore(now.minusSeconds(60)));
    }

    Tasklet alerts() {
        return (contribution, chunkContext) -> {
            Run run = run(chunkContext.getStepContext().getStepExecution().getJobExecution());
            LocalDate day = LocalDate.parse(run.day().key());
            int[] raised = { 0 };
            runways.forEach(run.asOf(), run.historic(), runway -> {
                if (runway.low(runwayHours) && raise(runway, day)) {
                    raised[0]++;
                }
            });
            contribution.incrementWriteCount(raised[0]);
            return RepeatStatus.FINISHED;
        };
    }

    /** The alert row and its event together, once per account and day. */
    private boolean raise(Runway runway, LocalDate day) {
        int inserted = jdbc.sql(RAISE).param("account", runway.accountId()).param("day", Date.valueOf(day))
                .param("hours_left", runway.hoursLeft()).param("balance", runway.balance()).update();
        if (inserted == 0) {
            return false;
        }
        UUID eventId = UUID.nameUUIDFromBytes(("runway_low|" + runway.accountId() + "|" + day).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("hours_left", runway.hoursLeft());
        extra.put("burn_rate_per_hour", SpendJson.usd(runway.burnPerHour()));
        outbox.enqueue(new BillingAccountEvent(eventId, BillingAccountEvent.RUNWAY_LOW, runway.asOf(), runway.accountId(),
                runway.customerId(), runway.accountName(), runway.balance(), runway.balance()), extra);
        return true;
    }

    Tasklet files() {
        return (contribution, chunkContext) -> {
            Run run = run(chunkContext.getStepContext().getStepExecution().getJobExecution());
            List<Runway> all = runways.all(run.asOf(), run.historic()).stream().sorted(BY_HOURS_LEFT).toList();
            String base = "runway-" + run.day().key();
            store.writeAll(run.day().key(), List.of(new ReportStore.Content(base + ".csv", out -> {
                try (CsvReportWriter csv = new CsvReportWriter(out, RunwayJobConfiguration.RUNWAY)) {
                    all.forEach(runway -> csv.row(row(runway)));
                }
            }), new ReportStore.Content(base + ".xlsx", out -> {
                try (XlsxReportWriter xlsx = new XlsxReportWriter(out, run.asOf(), XlsxReportWriter.DEFAULT_MAX_DATA_ROWS_PER_SHEET)) {
                    var sheet = xlsx.sheet(RunwayJobConfiguration.RUNWAY);
                    all.forEach(runway -> sheet.row(row(runway)));
                }
            })));
            contribution.incrementWriteCount(all.size());
            return RepeatStatus.FINISHED;
        };
    }

    private static Object[] row(Runway runway) {
        BigDecimal hours = runway.hoursLeft();
        return new Object[] { runway.accountId(), runway.customerId(), runway.accountName(), runway.balance(),
                runway.spentLastHour(), runway.spentLastDay(), runway.spentLast7Days(), runway.burnPerHour(),
                hours == null ? null : hours.toPlainString(), runway.minutesLeft(), runway.runsOutAt(), runway.autoTopUp(),
                Boolean.toString(runway.trafficPaused()), runway.asOf() };
    }
}
