package io.billingbatch.batch;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import io.billingbatch.ledger.ReportPeriod;

import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.job.parameters.JobParametersValidator;

/**
 * The identifying parameters of a period job: {@code period} and {@code zone} say what the run is
 * about, so Spring Batch itself refuses a second run of a completed period and restarts a failed
 * one; {@code revision} numbers explicit re-runs of the same period (1 for the first).
 * <p>
 * A provisional run ({@code provisionalAsOf} set) reports the period from its start up to that
 * instant (month to date) and is never the period's result. The instant is identifying, so every
 * provisional run is a job instance of its own: it can run again at any time and never stands in
 * for, blocks or is blocked by the period's final run.
 */
public record PeriodJobParameters(ReportPeriod period, long revision, boolean dryRun, Instant provisionalAsOf) {

    public static final String PERIOD = "period";
    public static final String ZONE = "zone";
    public static final String REVISION = "revision";

    /** Identifying when set, so a dry run is a run of its own and never stands in for the real one. */
    public static final String DRY_RUN = "dry-run";

    /** Identifying when set: the instant a provisional (month-to-date) run reports up to. */
    public static final String PROVISIONAL_AS_OF = "provisional-as-of";

    public PeriodJobParameters(ReportPeriod period, long revision) {
        this(period, revision, false, null);
    }

    public PeriodJobParameters(ReportPeriod period, long revision, boolean dryRun) {
        this(period, revision, dryRun, null);
    }

    /** A provisional run of {@code period} as of {@code asOf}: month to date, not the period's result. */
    public static PeriodJobParameters provisional(ReportPeriod period, Instant asOf) {
        return new PeriodJobParameters(period, 1, false, asOf);
    }

    public boolean provisional() {
        return provisionalAsOf != null;
    }

    /**
     * The instants the run reports: the whole period, or for a provisional run the period from its
     * start up to its as-of instant. Its key and zone are the period's.
     */
    public ReportPeriod covered() {
        if (provisionalAsOf == null || !provisionalAsOf.isBefore(period.end())) {
            return period;
        }
        return new ReportPeriod(period.key(), period.zone(), period.start(), provisionalAsOf);
    }

    /**
     * Why a run of these parameters may not be launched at {@code now}, if it may not.
     *
     * @param mustHaveEnded whether the job reports a period (its result is final only once the
     *        period has ended); otherwise only a period that has not begun is refused
     */
    public Optional<String> refusal(String jobName, Instant now, boolean mustHaveEnded) {
        String what = jobName + " " + period.key() + " (" + period.zone().getId() + ")";
        if (now.isBefore(period.start())) {
            return Optional.of(what + " is in the future (it begins " + period.start() + "): nothing was run");
        }
        if (provisional()) {
            if (!now.isBefore(period.end())) {
                return Optional.of(what + " has ended: run it without provisional for the period's result");
            }
            if (provisionalAsOf.isBefore(period.start()) || provisionalAsOf.isAfter(now)) {
                return Optional.of(what + " provisional as of " + provisionalAsOf + " is not between the period's start"
                        + " and now");
            }
            return Optional.empty();
        }
        if (mustHaveEnded && now.isBefore(period.end())) {
            return Optional.of(what + " has not ended (it ends " + period.end() + "): a period is reported once it has"
                    + " ended; nothing was run");
        }
        return Optional.empty();
    }

    public JobParameters toJobParameters() {
        JobParametersBuilder builder = new JobParametersBuilder()
                .addString(PERIOD, period.key())
                .addString(ZONE, period.zone().getId())
                .addLong(REVISION, revision);
        if (dryRun) {
            builder.addString(DRY_RUN, "true");
        }
        if (provisionalAsOf != null) {
            builder.addString(PROVISIONAL_AS_OF, provisionalAsOf.toString());
        }
        return builder.toJobParameters();
    }

    public PeriodJobParameters withRevision(long newRevision) {
        return new PeriodJobParameters(period, newRevision, dryRun, provisionalAsOf);
    }

    /** @throws IllegalArgumentException with a one-line reason when the parameters are not valid */
    public static PeriodJobParameters from(JobParameters parameters) {
        ReportPeriod period = ReportPeriod.parse(parameters.getString(PERIOD), parameters.getString(ZONE));
        Long revision = parameters.getLong(REVISION);
        if (revision != null && revision < 1) {
            throw new IllegalArgumentException("revision must be 1 or more, was " + revision);
        }
        String asOf = parameters.getString(PROVISIONAL_AS_OF);
        Instant provisionalAsOf = null;
        if (asOf != null) {
            try {
                provisionalAsOf = Instant.parse(asOf);
            }
            catch (DateTimeParseException ex) {
                throw new IllegalArgumentException(PROVISIONAL_AS_OF + " must be an instant like 2026-11-29T20:00:00Z, was '"
                        + asOf + "'");
            }
            if (!period.contains(provisionalAsOf)) {
                throw new IllegalArgumentException(PROVISIONAL_AS_OF + " " + asOf + " is not within the period " + period.key());
            }
        }
        return new PeriodJobParameters(period, revision == null ? 1 : revision, "true".equals(parameters.getString(DRY_RUN)),
                provisionalAsOf);
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
