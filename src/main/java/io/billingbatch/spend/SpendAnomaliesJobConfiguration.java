package io.billingbatch.spend;

import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.CsvReportWriter;
import io.billingbatch.report.ReportColumn;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.ReportTable;
import io.billingbatch.webhook.BillingAccountEvent;
import io.billingbatch.webhook.WebhookOutbox;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The {@code spend-anomalies} job for a day that has ended ({@code --period=2026-11-24}, a zone):
 * {@link SpendAnomalyDetector} judges every account's spend of the day per type against its own
 * recent days ({@link SpendAnomalyRule}); the day's anomalies replace those of an earlier run in
 * {@code spend_anomalies}, each raises {@code billing_account.spend_anomaly} once (its event id is
 * derived from day, zone, account and type), and {@code reports/<day>/spend-anomalies-<day>.csv}
 * lists them.
 */
@Configuration(proxyBeanMethods = false)
public class SpendAnomaliesJobConfiguration {

    public static final String JOB_NAME = "spend-anomalies";

    static final ReportTable ANOMALIES = new ReportTable("Spend anomalies", List.of(ReportColumn.text("day", 10),
            ReportColumn.text("zone", 16), ReportColumn.id("account_id"), ReportColumn.id("customer_id"),
            ReportColumn.text("account_name", 30), ReportColumn.text("type", 8), ReportColumn.usd("spend_usd"),
            ReportColumn.usd("baseline_median_usd"), ReportColumn.usd("baseline_spread_usd"),
            ReportColumn.integer("baseline_days", 8)));

    private static final String DELETE_DAY = "DELETE FROM spend_anomalies WHERE day = :day AND zone = :zone";

    private static final String INSERT = """
            INSERT INTO spend_anomalies (day, zone, account_id, type, customer_id, account_name, spend, baseline_median,
                                         baseline_spread, baseline_days, job_instance_id)
            VALUES (:day, :zone, :account, :type, :customer, :name, :spend, :median, :spread, :days, :job_instance)
            """;

    private static final String SELECT_DAY = """
            SELECT day, zone, account_id, customer_id, account_name, type, spend, baseline_median, baseline_spread, baseline_days
            FROM spend_anomalies WHERE day = :day AND zone = :zone ORDER BY account_id, type
            """;

    @Bean
    Job spendAnomaliesJob(JobRepository jobRepository, Step spendAnomalyStep, Step spendAnomalyFilesStep) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .validator(parameters -> {
                    PeriodJobParameters.validator().validate(parameters);
                    if (PeriodJobParameters.from(parameters).period().isMonth()) {
                        throw new InvalidJobParametersException("spend-anomalies runs for a day (yyyy-MM-dd), not a month");
                    }
                })
                .start(spendAnomalyStep)
                .next(spendAnomalyFilesStep)
                .build();
    }

    /** Finds the day's anomalies and stores them with their events, in the step's one transaction. */
    @Bean
    Step spendAnomalyStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
            SpendAnomalyDetector detector, JdbcClient jdbc, WebhookOutbox outbox) {
        return new StepBuilder("spendAnomalyStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    JobExecution execution = chunkContext.getStepContext().getStepExecution().getJobExecution();
                    ReportPeriod day = PeriodJobParameters.from(execution.getJobParameters()).period();
                    List<SpendAnomaly> anomalies = detector.detect(day);
                    Date date = Date.valueOf(LocalDate.parse(day.key()));
                    jdbc.sql(DELETE_DAY).param("day", date).param("zone", day.zone().getId()).update();
                    for (SpendAnomaly anomaly : anomalies) {
                        jdbc.sql(INSERT).param("day", date).param("zone", anomaly.zone()).param("account", anomaly.accountId())
                                .param("type", anomaly.type()).param("customer", anomaly.customerId())
                                .param("name", anomaly.accountName()).param("spend", anomaly.spend())
                                .param("median", anomaly.baselineMedian()).param("spread", anomaly.baselineSpread())
                                .param("days", anomaly.baselineDays()).param("job_instance", execution.getJobInstanceId())
                                .update();
                        long balance = jdbc.sql("SELECT coalesce(max(balance_credit), 0) FROM billing_accounts WHERE id = :id")
                                .param("id", anomaly.accountId()).query(Long.class).single();
                        outbox.enqueue(event(anomaly, day, balance), extra(anomaly));
                    }
                    contribution.incrementWriteCount(anomalies.size());
                    return RepeatStatus.FINISHED;
                }, transactionManager)
                .build();
    }

    @Bean
    Step spendAnomalyFilesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, JdbcClient jdbc,
            ReportStore store) {
        return new StepBuilder("spendAnomalyFilesStep", jobRepository)
                .tasklet((contribution, chunkContext) -> {
                    ReportPeriod day = PeriodJobParameters.from(chunkContext.getStepContext().getStepExecution()
                            .getJobExecution().getJobParameters()).period();
                    String zone = day.zone().getId();
                    String name = "spend-anomalies-" + day.key() + ("UTC".equals(zone) ? "" : "-" + zone.replace('/', '_')) + ".csv";
                    store.write(day.key(), name, out -> {
                        try (CsvReportWriter csv = new CsvReportWriter(out, ANOMALIES)) {
                            jdbc.sql(SELECT_DAY).param("day", Date.valueOf(LocalDate.parse(day.key()))).param("zone", zone)
                                    .query((rs, row) -> {
                                        csv.row(rs.getDate("day").toLocalDate().toString(), rs.getString("zone"),
                                                rs.getObject("account_id", UUID.class), rs.getObject("customer_id", UUID.class),
                                                rs.getString("account_name"), rs.getString("type"), rs.getLong("spend"),
                                                rs.getLong("baseline_median"), rs.getLong("baseline_spread"),
                                                rs.getInt("baseline_days"));
                                        return null;
                                    }).list();
                        }
                    });
                    return RepeatStatus.FINISHED;
                }, transactionManager)
                .build();
    }

    private static BillingAccountEvent event(SpendAnomaly anomaly, ReportPeriod day, long balance) {
        UUID eventId = UUID.nameUUIDFromBytes(("spend_anomaly|" + anomaly.day() + "|" + anomaly.zone() + "|" + anomaly.accountId()
                + "|" + anomaly.type()).getBytes(StandardCharsets.UTF_8));
        // the document's payload of the account with its balance now (no change: the event is not about a balance change)
        return new BillingAccountEvent(eventId, BillingAccountEvent.SPEND_ANOMALY, day.end(), anomaly.accountId(),
                anomaly.customerId(), anomaly.accountName(), balance, balance);
    }

    private static Map<String, Object> extra(SpendAnomaly anomaly) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("day", anomaly.day().toString());
        extra.put("zone", anomaly.zone());
        extra.put("type", anomaly.type());
        extra.put("spend", SpendJson.usd(anomaly.spend()));
        extra.put("baseline_median", SpendJson.usd(anomaly.baselineMedian()));
        extra.put("baseline_spread", SpendJson.usd(anomaly.baselineSpread()));
        return extra;
    }
}
