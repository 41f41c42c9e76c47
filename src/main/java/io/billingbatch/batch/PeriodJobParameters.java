package io.billingbatch.batch;

import io.billingbatch.ledger.ReportPeriod;

import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.job.parameters.JobParametersValidator;

/**
 * The identifying parameters of a period job: {@code period} and {@code zone} say what the run is
 * about, so Spring Batch itself refuses a second run of a completed period and restarts a failed
 * one; {@code revision} numbers explicit re-runs of the same period (1 for the first).
 */
public record PeriodJobParameters(ReportPeriod period, long revision, boolean dryRun) {

    public static final String PERIOD = "period";
    public static final String ZONE = "zone";
    public static final String REVISION = "revision";

    /** Identifying when set, so a dry run is a run of its own and never stands in for the real one. */
    public static final String DRY_RUN = "dry-run";

    public PeriodJobParameters(ReportPeriod period, long revision) {
        this(period, revision, false);
    }

    public JobParameters toJobParameters() {
        JobParametersBuilder builder = new JobParametersBuilder()
                .addString(PERIOD, period.key())
                .addString(ZONE, period.zone().getId())
                .addLong(REVISION, revision);
        if (dryRun) {
            builder.addString(DRY_RUN, "true");
        }
        return builder.toJobParameters();
    }

    public PeriodJobParameters withRevision(long newRevision) {
        return new PeriodJobParameters(period, newRevision, dryRun);
    }

    /** @throws IllegalArgumentException with a one-line reason when the parameters are not valid */
    public static PeriodJobParameters from(JobParameters parameters) {
        ReportPeriod period = ReportPeriod.parse(parameters.getString(PERIOD), parameters.getString(ZONE));
        Long revision = parameters.getLong(REVISION);
        if (revision != null && revision < 1) {
            throw new IllegalArgumentException("revision must be 1 or more, was " + revision);
        }
        return new PeriodJobParameters(period, revision == null ? 1 : revision, "true".equals(parameters.getString(DRY_RUN)));
    }

    /** Validates period, zone and revision before a job starts. */
    public static JobParametersValidator validator() {
        return parameters -> {
            try {
                from(parameters);
            }
            catch (IllegalArgumentException ex) {
                throw new InvalidJobParametersException(ex.getMessage());
            }
        };
    }
}
