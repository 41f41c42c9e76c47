package io.billingbatch.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.billingbatch.launch.DefinitionRunner.Run;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The schedule of {@code serve}: fires every launch definition of {@code jobs/} at its cron times
 * in its zone. Each fire time runs once across all instances on the database: the instance whose
 * claim in {@code schedule_runs} succeeds runs the definition's jobs through
 * {@link DefinitionRunner} (and so through {@link PeriodJobLauncher}: job instance identity and the
 * run lock guard the jobs themselves as a second line). At start-up, the latest fire time missed
 * within the catch-up window (after the last one any instance claimed) runs once.
 */
public class LaunchScheduler implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(LaunchScheduler.class);

    private final List<LaunchDefinition> definitions;

    private final DefinitionRunner runner;

    private final JdbcScheduleRuns runs;

    private final JobRunGuard guard;

    private final Clock clock;

    private final Duration catchUp;

    private final String instance;

    private volatile ThreadPoolTaskScheduler scheduler;

    /** Set while serve shuts down: a run cut short then is left unfinished, for another instance to resume. */
    private volatile boolean stopping;

    static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    public LaunchScheduler(List<LaunchDefinition> definitions, DefinitionRunner runner, JdbcScheduleRuns runs,
            JobRunGuard guard, Clock clock, Duration catchUp, String instance) {
        this.guard = guard;
        definitions.forEach(runner::checkJobs);
        this.definitions = List.copyOf(definitions);
        this.runner = runner;
        this.runs = runs;
        this.clock = clock;
        this.catchUp = catchUp;
        this.instance = instance;
    }

    /**
     * Every {@code *.properties} of {@code directory}, in file name order.
     *
     * @throws IllegalArgumentException naming the file and the field of the first bad definition
     */
    public static List<LaunchDefinition> load(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("billing.schedule.dir " + directory.toAbsolutePath() + " is not a directory"
                    + " of launch definitions (set --billing.schedule.dir, or --billing.schedule.enabled=false)");
        }
        List<LaunchDefinition> definitions;
        try (Stream<Path> files = Files.list(directory)) {
            definitions = files.filter(file -> file.getFileName().toString().endsWith(".properties")).sorted()
                    .map(LaunchDefinition::load).toList();
        }
        catch (IOException ex) {
            throw new IllegalArgumentException(directory + ": cannot be listed (" + ex.getMessage() + ")");
        }
        Map<String, Path> names = new HashMap<>();
        for (LaunchDefinition definition : definitions) {
            Path other = names.putIfAbsent(definition.name(), definition.file());
            if (other != null) {
                throw new IllegalArgumentException(definition.file() + ": field name '" + definition.name()
                        + "' is already the name of " + other);
            }
        }
        return definitions;
    }

    public List<LaunchDefinition> definitions() {
        return definitions;
    }

    @Override
    public void start() {
        ThreadPoolTaskScheduler started = new ThreadPoolTaskScheduler();
        started.setPoolSize(definitions.size() + 1);
        started.setThreadNamePrefix("schedule-");
        started.setClock(clock);
        started.setWaitForTasksToCompleteOnShutdown(false);
        started.initialize();
        stopping = false;
        scheduler = started;
        Instant now = clock.instant();
        for (LaunchDefinition definition : definitions) {
            Optional<Instant> missed = missedFireTime(definition, now);
            logger.info("Schedule {} ({}): cron '{}' in {}, next at {}{}", definition.name(), definition.file(),
                    definition.cronText(), definition.zone().getId(), next(definition, now),
                    missed.map(time -> "; catching up the run of " + time + " now").orElse(""));
            started.execute(() -> {
                try {
                    missed.ifPresent(fireTime -> safely(definition, fireTime, () -> fire(definition, fireTime, true)));
                }
                finally {
                    scheduleNext(definition, now);
                }
            });
        }
        // Fire times whose instance died mid-run: at start-up, then every minute while serving.
        started.scheduleWithFixedDelay(this::resumeAbandoned, SWEEP_INTERVAL);
    }

    /** Resumes every unfinished fire time in the catch-up window whose instance is gone. */
    void resumeAbandoned() {
        Instant since = clock.instant().minus(catchUp);
        for (LaunchDefinition definition : definitions) {
            List<Instant> unfinished;
            try {
                unfinished = runs.unfinished(definition.name(), since);
            }
            catch (RuntimeException ex) {
                logger.warn("Schedule {}: could not look for unfinished runs ({}); trying again in {}", definition.name(),
                        ex.getMessage(), SWEEP_INTERVAL);
                continue;
            }
            unfinished.forEach(fireTime -> safely(definition, fireTime, () -> resume(definition, fireTime)));
        }
    }

    /** One fire time's failure (a database blip, say) must never end the schedule. */
    private static void safely(LaunchDefinition definition, Instant fireTime, Runnable work) {
        try {
            work.run();
        }
        catch (RuntimeException ex) {
            logger.error("Schedule {} at {} could not run: {}", definition.name(), fireTime, ex.getMessage(), ex);
        }
    }

    @Override
    public void stop() {
        stopping = true;
        ThreadPoolTaskScheduler running = scheduler;
        scheduler = null;
        if (running != null) {
            running.shutdown();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    /** The latest fire time in the catch-up window after the last claimed one, if there is one. */
    Optional<Instant> missedFireTime(LaunchDefinition definition, Instant now) {
        Instant from = now.minus(catchUp);
        Optional<Instant> claimed = runs.latestFireTime(definition.name());
        if (claimed.isPresent() && claimed.get().isAfter(from)) {
            from = claimed.get();
        }
        Instant missed = null;
        for (Instant time = next(definition, from); time != null && !time.isAfter(now); time = next(definition, time)) {
            missed = time;
        }
        return Optional.ofNullable(missed);
    }

    /**
     * Runs {@code definition} for {@code fireTime} if this instance wins the fire time.
     *
     * @return whether this instance ran it
     */
    public boolean fire(LaunchDefinition definition, Instant fireTime, boolean catchingUp) {
        Optional<JobRunGuard.Lease> lease = guard.tryAcquire(leaseKey(definition, fireTime));
        if (lease.isEmpty()) {
            logger.info("Schedule {} at {}: run by another instance", definition.name(), fireTime);
            return false;
        }
        try (JobRunGuard.Lease held = lease.get()) {
            if (!runs.claim(definition.name(), fireTime, instance, catchingUp)) {
                logger.info("Schedule {} at {}: run by another instance", definition.name(), fireTime);
                return false;
            }
            logger.info("Schedule {} at {}{}: running {}", definition.name(), fireTime, catchingUp ? " (catch-up)" : "",
                    String.join(", ", definition.periodRules().keySet()));
            run(definition, fireTime);
            return true;
        }
    }

    /**
     * Finishes a fire time another instance claimed but never finished. Its run lease is free only
     * when that instance's database session is gone, i.e. it died mid-run: then the definition runs
     * again, and its jobs restart where they stopped (completed ones are skipped).
     *
     * @return whether this instance resumed it
     */
    public boolean resume(LaunchDefinition definition, Instant fireTime) {
        Optional<JobRunGuard.Lease> lease = guard.tryAcquire(leaseKey(definition, fireTime));
        if (lease.isEmpty()) {
            return false; // its instance is still running it
        }
        try (JobRunGuard.Lease held = lease.get()) {
            if (!runs.resume(definition.name(), fireTime, instance)) {
                return false;
            }
            logger.warn("Schedule {} at {}: its instance stopped before it finished; resuming it", definition.name(), fireTime);
            run(definition, fireTime);
            return true;
        }
    }

    /** Held by the instance running a fire time, for as long as it runs it. */
    private static String leaseKey(LaunchDefinition definition, Instant fireTime) {
        return "schedule|" + definition.name() + "|" + fireTime;
    }

    private void run(LaunchDefinition definition, Instant fireTime) {
        try {
            Run run = runner.run(definition, fireTime, step -> logger.info("Schedule {} at {}: {} {}", definition.name(),
                    fireTime, step.describe(), describe(step.outcome())));
            String detail = run.steps().stream().map(step -> step.describe() + " " + describe(step.outcome()))
                    .collect(Collectors.joining("; "));
            if (interrupted()) {
                logger.warn("Schedule {} at {} was cut short by shutdown ({}); left unfinished, it is resumed by the next"
                        + " instance to look", definition.name(), fireTime, detail);
                return;
            }
            runs.finish(definition.name(), fireTime, run.result().word(), detail);
            if (run.result() != DefinitionRunner.Result.COMPLETED) {
                logger.warn("Schedule {} at {} ended {}: {}", definition.name(), fireTime, run.result().word(), detail);
            }
        }
        catch (Exception ex) {
            if (interrupted()) {
                logger.warn("Schedule {} at {} was cut short by shutdown; left unfinished for resume", definition.name(), fireTime);
                return;
            }
            logger.error("Schedule {} at {} failed", definition.name(), fireTime, ex);
            runs.finish(definition.name(), fireTime, "error", String.valueOf(ex.getMessage()));
        }
    }

    private boolean interrupted() {
        return stopping || Thread.currentThread().isInterrupted();
    }

    private void scheduleNext(LaunchDefinition definition, Instant after) {
        ThreadPoolTaskScheduler current = scheduler;
        Instant fireTime = next(definition, after);
        if (current == null || fireTime == null) {
            return;
        }
        current.schedule(() -> {
            try {
                safely(definition, fireTime, () -> fire(definition, fireTime, false));
            }
            finally {
                scheduleNext(definition, fireTime);
            }
        }, fireTime);
    }

    private static Instant next(LaunchDefinition definition, Instant after) {
        ZonedDateTime next = definition.cron().next(after.atZone(definition.zone()));
        return next == null ? null : next.toInstant();
    }

    private static String describe(LaunchOutcome outcome) {
        if (outcome instanceof LaunchOutcome.Ran ran) {
            return ran.execution().getStatus() + " (execution " + ran.execution().getId() + ")";
        }
        if (outcome instanceof LaunchOutcome.AlreadyComplete complete) {
            return "already complete (execution " + complete.execution().getId() + ")";
        }
        LaunchOutcome.AlreadyRunning running = (LaunchOutcome.AlreadyRunning) outcome;
        return "running elsewhere" + (running.execution() == null ? "" : " (execution " + running.execution().getId() + ")");
    }
}
