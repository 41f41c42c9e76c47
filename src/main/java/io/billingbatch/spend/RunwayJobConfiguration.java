package io.billingbatch.spend;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.report.ReportColumn;
import io.billingbatch.report.ReportStore;
import io.billingbatch.report.ReportTable;
import io.billingbatch.webhook.WebhookOutbox;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The {@code runway} job: its period is a business day ({@code 2026-11-25}, UTC) it acts on while
 * it runs, like {@code auto-topup}. It takes the runway of every live account as of the launch (of
 * the day's end for a day that is over), raises {@code billing_account.runway_low} once per account
 * and day, then writes {@code reports/<day>/runway-<day>.csv} and {@code .xlsx}.
 */
@Configuration(proxyBeanMethods = false)
public class RunwayJobConfiguration {

    public static final String JOB_NAME = "runway";

    static final ReportTable RUNWAY = new ReportTable("Runway", List.of(ReportColumn.id("account_id"),
            ReportColumn.id("customer_id"), ReportColumn.text("account_name", 30), ReportColumn.usd("balance_usd"),
            ReportColumn.usd("spent_last_hour_usd"), ReportColumn.usd("spent_last_day_usd"),
            ReportColumn.usd("spent_last_7_days_usd"), ReportColumn.usd("burn_rate_usd_per_hour"),
            ReportColumn.text("hours_left", 12), ReportColumn.integer("minutes_left", 14), ReportColumn.instant("runs_out_at"),
            ReportColumn.text("auto_topup", 10), ReportColumn.text("traffic_paused", 8), ReportColumn.instant("as_of")));

    @Bean
    Job runwayJob(JobRepository jobRepository, Step runwayAlertStep, Step runwayFilesStep) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .validator(parameters -> {
                    PeriodJobParameters.validator().validate(parameters);
                    if (PeriodJobParameters.from(parameters).period().isMonth()) {
                        throw new InvalidJobParametersException("runway runs for a day (yyyy-MM-dd), not a month");
                    }
                })
                .start(runwayAlertStep)
                .next(runwayFilesStep)
                .build();
    }

    @Bean
    RunwayTasklets runwayTasklets(JdbcRunways runways, JdbcClient jdbc, WebhookOutbox outbox, ReportStore store, Clock clock,
            @Value("${billing.alerts.runway-hours:24}") BigDecimal runwayHours) {
        return new RunwayTasklets(runways, jdbc, outbox, store, clock, runwayHours);
    }

    @Bean
    Step runwayAlertStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, RunwayTasklets tasklets) {
        return new StepBuilder("runwayAlertStep", jobRepository)
                .tasklet(tasklets.alerts(), transactionManager)
                .build();
    }

    @Bean
    Step runwayFilesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager, RunwayTasklets tasklets) {
        return new StepBuilder("runwayFilesStep", jobRepository)
                .tasklet(tasklets.files(), transactionManager)
                .build();
    }

    /** The instant a run is as of: kept in the job's context, so a restart reports the same instant. */
    static final String AS_OF = "runway.as-of";

    static Instant asOf(org.springframework.batch.infrastructure.item.ExecutionContext context, Instant fallback) {
        if (!context.containsKey(AS_OF)) {
            context.putString(AS_OF, fallback.toString());
        }
        return Instant.parse(context.getString(AS_OF));
    }
}
