package io.billingbatch.launch;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.billingbatch.access.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.ReportPeriod;
import io.billingbatch.report.ReportStore;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;

/**
 * A period job and its command: {@code <job> --period=2026-10 [--zone=UTC] [--rerun]} (or, for a
 * job that acts on a business day, {@code [--date=yyyy-MM-dd] [--dry-run] [--rerun]}). The same
 * declaration gives the job its HTTP launch ({@code POST /v1.0/jobs/<job>/executions}, the roles
 * that may launch it), its place in launch definitions ({@code jobs/}) and the period rule the
 * launcher applies. A job package declares its job with a subclass that has a public no-argument
 * constructor, registered in {@code META-INF/spring.factories}; it overrides
 * {@link #printResult} to print more than the period's files.
 */
public class PeriodJobCommand implements Command<PeriodJobCommand.Arguments> {

    /** The periods a job runs for. */
    public enum Span {
        /** A report over a day or a month, run once the period has ended (in its zone). */
        DAY_OR_MONTH,
        /** A report over a month, run once the month has ended. */
        MONTH,
        /** A report over a day, run once the day has ended (in its zone). */
        DAY,
        /** An action on a business day (UTC) while it runs, today by default, never a day to come; it may be a dry run. */
        BUSINESS_DAY
    }

    private final String name;

    private final Span span;

    private final boolean provisional;

    private final Set<Role> roles;

    private final String usage;

    /**
     * @param provisional whether the job offers a provisional (period so far) run
     * @param roles the roles whose tokens may launch, stop and restart it over HTTP
     * @param usage its lines of {@code help}
     */
    protected PeriodJobCommand(String name, Span span, boolean provisional, Set<Role> roles, String usage) {
        if (provisional && span != Span.DAY_OR_MONTH) {
            throw new IllegalArgumentException(name + ": only a report over a day or a month has a provisional run");
        }
        this.name = name;
        this.span = span;
        this.provisional = provisional;
        this.roles = Set.copyOf(roles);
        this.usage = usage;
    }

    /** What a {@link Job} bean without a declaration of its own is: a report over a day or a month, for admin tokens. */
    static PeriodJobCommand undeclared(String name) {
        return new PeriodJobCommand(name, Span.DAY_OR_MONTH, false, Set.of(Role.ADMIN),
                name + " --period=2026-10|2026-10-05 [--zone=UTC] [--rerun]");
    }

    /** A period job's checked options: the period (null: today, for a business-day job) parsed once. */
    public record Arguments(ReportPeriod period, boolean rerun, boolean provisional, boolean dryRun) {

        /** The launch these options ask for now; a provisional run is as of now, in milliseconds (its files print it). */
        public JobRequest request(String job, Clock clock) {
            if (provisional) {
                return new JobRequest(job, PeriodJobParameters.provisional(period, clock.instant().truncatedTo(ChronoUnit.MILLIS)),
                        false);
            }
            ReportPeriod launched = period != null ? period
                    : ReportPeriod.parse(LocalDate.now(clock.withZone(ZoneOffset.UTC)).toString(), "UTC");
            return new JobRequest(job, new PeriodJobParameters(launched, 1, dryRun), rerun);
        }
    }

    @Override
    public final String name() {
        return name;
    }

    public final Span span() {
        return span;
    }

    /** Whether the job acts on a business day while it runs, rather than reporting a period once it has ended. */
    public final boolean actsOnDay() {
        return span == Span.BUSINESS_DAY;
    }

    public final boolean monthly() {
        return span == Span.MONTH;
    }

    /** Whether it runs for a day only, never a month. */
    public final boolean daily() {
        return span == Span.BUSINESS_DAY || span == Span.DAY;
    }

    /** Whether a business-day job offers {@code --dry-run}; {@code auto-topup} does. */
    public boolean offersDryRun() {
        return true;
    }

    /** Whether it has a provisional (period so far) run. */
    public final boolean provisional() {
        return provisional;
    }

    public final Set<Role> roles() {
        return roles;
    }

    /** Whether a token of {@code role} may launch, stop and restart it. */
    public final boolean launchableBy(Role role) {
        return roles.contains(role);
    }

    /** The period a launch definition runs it for when the definition names none. */
    public final String defaultRule() {
        return switch (span) {
            case BUSINESS_DAY -> "today";
            case MONTH -> "previous-month";
            case DAY_OR_MONTH, DAY -> "previous-day";
        };
    }

    @Override
    public final Set<String> options() {
        if (span == Span.BUSINESS_DAY) {
            return offersDryRun() ? Set.of("date", "dry-run", "rerun") : Set.of("date", "rerun");
        }
        return provisional ? Set.of("period", "zone", "rerun", "provisional") : Set.of("period", "zone", "rerun");
    }

    @Override
    public String usage() {
        return usage;
    }

    @Override
    public final Arguments check(Invocation invocation) {
        try {
            if (span == Span.BUSINESS_DAY) {
                String date = invocation.options().get("date");
                if (date != null && !date.matches("\\d{4}-\\d{2}-\\d{2}")) {
                    throw new UsageException("--date must be a day like 2026-11-25, was '" + date + "'");
                }
                ReportPeriod day = date == null ? null : ReportPeriod.parse(date, "UTC");
                boolean dryRun = invocation.flag("dry-run");
                return new Arguments(day, invocation.flag("rerun"), false, dryRun);
            }
            String key = invocation.options().get("period");
            ReportPeriod period = ReportPeriod.parse(key, invocation.option("zone", "UTC"));
            if (span == Span.MONTH && !period.isMonth()) {
                throw new UsageException(name + " runs for a month: --period must be a month like 2026-10, was '" + key + "'");
            }
            if (span == Span.DAY && period.isMonth()) {
                throw new UsageException(name + " runs for a day: --period must be a day like 2026-10-05, was '" + key + "'");
            }
            boolean rerun = invocation.flag("rerun");
            boolean provisionalRun = invocation.flag("provisional");
            if (provisionalRun && rerun) {
                throw new UsageException("--provisional makes a new month-to-date report on every run: it takes no --rerun");
            }
            return new Arguments(period, rerun, provisionalRun, false);
        }
        catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
    }

    @Override
    public int run(Arguments arguments, CommandContext context) throws Exception {
        JobRequest request = arguments.request(name, context.clock());
        return launch(request.parameters(), request.rerun(), false, context);
    }

    /** The launcher and what it reads, and {@link #resultBeans}: a refused launch needs no job. */
    @Override
    public final java.util.List<Class<?>> databaseBeans() {
        java.util.List<Class<?>> beans = new java.util.ArrayList<>(java.util.List.of(PeriodJobLauncher.class,
                JobRunGuard.class, RunHeartbeats.class, ReportStore.class));
        beans.addAll(resultBeans());
        return beans;
    }

    /** The beans {@link #printResult} reads beyond the {@link ReportStore}; a subclass that prints more names them. */
    protected java.util.List<Class<?>> resultBeans() {
        return java.util.List.of();
    }

    /**
     * A launch refused by the period rule or a period already complete, answered as {@link #run} answers it
     * ({@link PeriodJobLauncher#withoutRunning}, then the same report): the whole application need not start.
     */
    @Override
    public java.util.Optional<Integer> answerFromDatabase(Arguments arguments, CommandContext context) {
        JobRequest request = arguments.request(name, context.clock());
        return answerWithoutRunning(request.parameters(), request.rerun(), false, context);
    }

    /**
     * What {@link #launch} would answer for these parameters, found without running (in the database layer, with
     * {@link #databaseBeans}): a launch the period rule refuses (thrown) or a period already complete, reported as
     * {@link #launch} reports it; empty when only launching can tell.
     */
    public final java.util.Optional<Integer> answerWithoutRunning(PeriodJobParameters parameters, boolean rerun,
            boolean completeIsFine, CommandContext context) {
        return context.bean(PeriodJobLauncher.class).withoutRunning(name, parameters, rerun)
                .map(outcome -> report(name, parameters, outcome, completeIsFine, () -> printResult(parameters, context), context));
    }

    /**
     * Launches the job through {@link PeriodJobLauncher} and prints what it did; a period already
     * complete is exit 2 unless {@code completeIsFine} (then it is reported again, exit 0).
     */
    protected final int launch(PeriodJobParameters parameters, boolean rerun, boolean completeIsFine, CommandContext context)
            throws Exception {
        Job job = context.bean(JobCatalog.class).find(name)
                .orElseThrow(() -> new UsageException(name + " is not a job of this application"));
        LaunchOutcome outcome = context.bean(PeriodJobLauncher.class).launch(job, parameters, rerun);
        int exit = report(name, parameters, outcome, completeIsFine, () -> printResult(parameters, context), context);
        if (exit == CommandLine.FAILED && rerun && !actsOnDay()) {
            // the same command with --rerun starts yet another revision from the ledger (the way out of a revision that
            // fails for ever); without it, the launch restarts this one where it stopped
            context.out().println("(Without --rerun the launch restarts this revision where it stopped; with --rerun it starts"
                    + " another revision.)");
        }
        return exit;
    }

    /** What a completed (or already complete) run leaves for its reader; by default the period's report files. */
    protected void printResult(PeriodJobParameters parameters, CommandContext context) {
        printFiles(parameters.period(), context);
    }

    /** The report files of the period's folder, with their sizes. */
    public static void printFiles(ReportPeriod period, CommandContext context) {
        ReportStore reportStore = context.bean(ReportStore.class);
        context.out().println("Reports in " + reportStore.directory(period.key()).toAbsolutePath() + ":");
        reportStore.list(period.key()).forEach(file -> context.out().printf("  %s (%,d bytes)%n", file.name(), file.size()));
    }

    /** Prints what a launch did; a run that did not complete is exit 1, one running elsewhere a usage error. */
    static int report(String jobName, PeriodJobParameters parameters, LaunchOutcome outcome, boolean completeIsFine,
            Runnable printResult, CommandContext context) {
        ReportPeriod period = parameters.period();
        String what = jobName + " " + period.key() + " (" + period.zone().getId() + ")" + (parameters.dryRun() ? " dry run" : "")
                + (parameters.provisional() ? " provisional as of " + parameters.provisionalAsOf() : "");
        if (outcome instanceof LaunchOutcome.AlreadyRunning running) {
            throw new UsageException(what + " is already running" + (running.execution() == null ? ""
                    : " (execution " + running.execution().getId() + ")") + " in another process"
                    + (running.whereItRuns() == null ? "" : ": " + running.whereItRuns()));
        }
        if (outcome instanceof LaunchOutcome.AlreadyComplete complete) {
            JobExecution done = complete.execution();
            String message = what + " is already reported (execution " + done.getId() + ", finished " + done.getEndTime() + ")";
            if (!completeIsFine) {
                printResult.run();
                throw new UsageException(message + "; nothing was run: add --rerun to replace it");
            }
            context.out().println(message + "; nothing to do.");
            printResult.run();
            return CommandLine.OK;
        }
        JobExecution execution = ((LaunchOutcome.Ran) outcome).execution();
        Duration took = execution.getStartTime() == null || execution.getEndTime() == null ? Duration.ZERO
                : Duration.between(execution.getStartTime(), execution.getEndTime());
        long skipped = execution.getStepExecutions().stream().mapToLong(step -> step.getSkipCount()).sum();
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            context.out().printf("%s: %s (execution %d): %s%n", what, execution.getStatus(), execution.getId(),
                    failureReason(execution));
            context.out().println("Run the same command again to restart it where it stopped.");
            return CommandLine.FAILED;
        }
        context.out().printf("%s: COMPLETED in %.1f s (execution %d, revision %d)%n", what, took.toMillis() / 1000.0,
                execution.getId(), execution.getJobParameters().getLong(PeriodJobParameters.REVISION));
        if (skipped > 0) {
            context.out().printf("  %d item(s) were rejected as bad input and left out: see the log and table batch_item_rejects%n",
                    skipped);
        }
        printResult.run();
        return CommandLine.OK;
    }

    /**
     * The cause of a failed run in one line: the message of the innermost cause of its first failure
     * (not the exception that wrapped it, such as Batch's "Unable to process chunk"), else the first
     * line of the recorded exit description.
     */
    static String failureReason(JobExecution execution) {
        Optional<String> cause = execution.getAllFailureExceptions().stream().findFirst().map(PeriodJobCommand::innermostMessage);
        if (cause.isPresent()) {
            return cause.get();
        }
        String description = execution.getExitStatus().getExitDescription();
        return description == null || description.isBlank() ? "no reason recorded"
                : description.lines().findFirst().orElse(description);
    }

    private static String innermostMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage().lines().findFirst().orElse("").strip();
        return message.isEmpty() ? cause.getClass().getSimpleName() : message;
    }

    /** The names of the declared jobs that satisfy a test, sorted, for messages. */
    static String names(java.util.function.Predicate<PeriodJobCommand> test) {
        return String.join(", ", new TreeSet<>(Commands.periodJobs().stream().filter(test).map(PeriodJobCommand::name).toList()));
    }

    static Set<Role> roles(Role... roles) {
        return Set.copyOf(Arrays.asList(roles));
    }
}
