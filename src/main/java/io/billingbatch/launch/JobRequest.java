package io.billingbatch.launch;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.ledger.ReportPeriod;

/**
 * What to launch: a job's period parameters and whether a completed period is run again. The
 * command line and the HTTP API both build it here, from the same {@code --name=value} options and
 * with the same one-line reasons, so a launch means the same thing wherever it comes from.
 */
public record JobRequest(String job, PeriodJobParameters parameters, boolean rerun) {

    /** Options of a period job that has no command of its own (a month or a day, its zone, rerun). */
    private static final Set<String> PERIOD_OPTIONS = Set.of("period", "zone", "rerun");

    /** The options that are flags ({@code --rerun}, {@code true}/{@code false} in a JSON body); the others take a value. */
    public static final Set<String> FLAGS = Set.of("rerun", "provisional", "dry-run");

    /** Jobs whose period is a whole month. */
    private static final Set<String> MONTHLY_JOBS = Set.of("finance-pack", "statements");

    /**
     * Checks {@code options} for {@code job} exactly as the command line checks
     * {@code billing-batch <job> --name=value ...}.
     *
     * @throws UsageException with the command line's one-line reason
     */
    public static JobRequest parse(String job, Map<String, String> options, Clock clock) {
        List<String> args = new ArrayList<>();
        options.forEach((name, value) -> args.add("--" + name + "=" + value));
        Optional<Invocation.Command> command = Invocation.Command.find(job);
        if (command.isEmpty()) {
            return periodJob(job, options, clock);
        }
        args.add(0, job);
        Invocation invocation = Invocation.parse(args.toArray(String[]::new));
        if (!invocation.springArguments().isEmpty()) {
            String name = invocation.springArguments().get(0).replaceFirst("=.*", "");
            throw new UsageException("unknown option " + name + " for " + job + " (configuration is not a job parameter)");
        }
        BillingCommands.checkOptions(invocation);
        return from(invocation, clock);
    }

    /** The request of a job command ({@code cost-report}, {@code reconciliation}, {@code auto-topup}, ...). */
    static JobRequest from(Invocation invocation, Clock clock) {
        String job = invocation.command().word();
        try {
            if (invocation.command() == Invocation.Command.AUTO_TOPUP) {
                return new JobRequest(job, new PeriodJobParameters(
                        topUpDay(invocation, LocalDate.now(clock.withZone(ZoneOffset.UTC))), 1, invocation.flag("dry-run")),
                        invocation.flag("rerun"));
            }
            return period(job, invocation, clock);
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
    }

    /**
     * A job run for {@code --period} in {@code --zone}, a month for the monthly jobs; with
     * {@code --provisional}, the period so far as of now (whether the period allows it is the
     * launcher's check, see {@link PeriodJobLauncher#check}).
     */
    private static JobRequest period(String job, Invocation invocation, Clock clock) {
        String key = invocation.options().get("period");
        ReportPeriod period = ReportPeriod.parse(key, invocation.option("zone", "UTC"));
        if (MONTHLY_JOBS.contains(job) && !period.isMonth()) {
            throw new UsageException(job + " runs for a month: --period must be a month like 2026-10, was '" + key + "'");
        }
        boolean rerun = invocation.flag("rerun");
        if (invocation.flag("provisional")) {
            if (rerun) {
                throw new UsageException("--provisional makes a new month-to-date report on every run: it takes no --rerun");
            }
            // milliseconds: the as-of instant identifies the run and is printed in its files
            return new JobRequest(job, PeriodJobParameters.provisional(period, clock.instant().truncatedTo(ChronoUnit.MILLIS)),
                    false);
        }
        return new JobRequest(job, new PeriodJobParameters(period, 1), rerun);
    }

    static ReportPeriod topUpDay(Invocation invocation, LocalDate today) {
        String date = invocation.option("date", today.toString());
        if (!date.matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw new UsageException("--date must be a day like 2026-11-25, was '" + date + "'");
        }
        return ReportPeriod.parse(date, "UTC");
    }

    /** A period job without a command of its own, checked with the same rules and wording. */
    private static JobRequest periodJob(String job, Map<String, String> options, Clock clock) {
        for (String name : options.keySet()) {
            if (!PERIOD_OPTIONS.contains(name)) {
                throw new UsageException("unknown option --" + name + " for " + job + " (it takes: --"
                        + String.join(", --", new TreeSet<>(PERIOD_OPTIONS)) + ")");
            }
        }
        try {
            return period(job, new Invocation(Invocation.Command.COST_REPORT, Map.copyOf(options), List.of()), clock);
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
    }
}
