package io.billingbatch.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
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
 * run lock guard the jobs themselves as a second line).
 * <p>
 * At each fire time, at start-up and every {@link #SWEEP_INTERVAL}, a definition's tick runs, oldest
 * first, every fire time within the catch-up window that is due: missed ones (never claimed, and not
 * from before the definition was first seen, so a fresh installation runs nothing from its past),
 * failed or busy ones whose next try has come (exponential backoff, not beyond the window), and
 * unfinished ones whose instance died.
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

    private final Duration firstBackoff;

    private final Duration maxBackoff;

    /** Held while a definition's tick runs in this instance: its fire-time task and the sweep never overlap. */
    private final Map<String, ReentrantLock> ticking = new ConcurrentHashMap<>();

    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

    private volatile ThreadPoolTaskScheduler scheduler;

    /** Set while serve shuts down: a run cut short then is left unfinished, for another instance to resume. */
    private volatile boolean stopping;

    static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofMinutes(1);

    static final Duration DEFAULT_MAX_BACKOFF = Duration.ofHours(1);

    public LaunchScheduler(List<LaunchDefinition> definitions, DefinitionRunner runner, JdbcScheduleRuns runs,
            JobRunGuard guard, Clock clock, Duration catchUp, String instance) {
        this(definitions, runner, runs, guard, clock, catchUp, instance, DEFAULT_FIRST_BACKOFF, DEFAULT_MAX_BACKOFF);
    }

    /**
     * @param firstBackoff how long after a failed or busy attempt the fire time is tried again; each
     *        further attempt waits twice as long, at most {@code maxBackoff}, and never beyond
     *        {@code catchUp} after the fire time
     */
    public LaunchScheduler(List<LaunchDefinition> definitions, DefinitionRunner runner, JdbcScheduleRuns runs,
            JobRunGuard guard, Clock clock, Duration catchUp, String instance, Duration firstBackoff, Duration maxBackoff) {
        if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("billing.schedule.first-backoff must be positive and at most"
                    + " billing.schedule.max-backoff, were " + firstBackoff + " and " + maxBackoff);
        }
        this.guard = guard;
        definitions.forEach(runner::checkJobs);
        this.definitions = List.copyOf(definitions);
        this.runner = runner;
        this.runs = runs;
        this.clock = clock;
        this.catchUp = catchUp;
        this.instance = instance;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.definitions.forEach(definition -> ticking.put(definition.name(), new ReentrantLock()));
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
            logger.info("Schedule {} ({}): cron '{}' in {}, next at {}", definition.name(), definition.file(),
                    definition.cronText(), definition.zone().getId(), next(definition, now));
            scheduleNext(definition, now);
        }
        // What is due besides the fire time at hand (missed, to retry, abandoned): at start-up, then every minute.
        started.scheduleWithFixedDelay(this::tick, SWEEP_INTERVAL);
    }

    /** Runs what is due now for every definition. */
    void tick() {
        definitions.forEach(definition -> tick(definition, null));
    }

    /**
     * Runs, oldest first, every fire time of {@code definition} that is due: {@code firedAt} (the fire
     * time that woke it, if any), missed ones, retries whose time has come and abandoned ones. Skipped
     * while this instance's previous tick of the definition still runs: the next one looks again.
     */
    void tick(LaunchDefinition definition, Instant firedAt) {
        ReentrantLock lock = ticking.get(definition.name());
        if (!lock.tryLock()) {
            return;
        }
        try {
            Instant now = clock.instant();
            if (firedAt != null && firedAt.isAfter(now)) {
                now = firedAt; // the task may wake a moment early
            }
            List<Due> due;
            try {
                due = due(definition, now, firedAt);
            }
            catch (RuntimeException ex) {
                logger.warn("Schedule {}: could not look for fire times due ({}); trying again in {}", definition.name(),
                        ex.getMessage(), SWEEP_INTERVAL);
                return;
            }
            for (Due item : due) {
                if (interrupted()) {
                    return;
                }
                safely(definition, item.fireTime(), item.work());
            }
        }
        finally {
            lock.unlock();
        }
    }

    private record Due(Instant fireTime, Runnable work) {
    }

    private List<Due> due(LaunchDefinition definition, Instant now, Instant firedAt) {
        Instant since = now.minus(catchUp);
        List<Due> due = new ArrayList<>();
        for (Instant fireTime : runs.unfinished(definition.name(), since)) {
            due.add(new Due(fireTime, () -> resume(definition, fireTime)));
        }
        for (Instant fireTime : runs.dueRetries(definition.name(), since, now)) {
            due.add(new Due(fireTime, () -> retry(definition, fireTime, now)));
        }
        List<Instant> missed = missedFireTimes(definition, now);
        for (Instant fireTime : missed) {
            due.add(new Due(fireTime, () -> fire(definition, fireTime, !fireTime.equals(firedAt))));
        }
        List<Instant> late = missed.stream().filter(time -> !time.equals(firedAt)).toList();
        if (!late.isEmpty()) {
            logger.info("Schedule {}: catching up {} missed fire time(s), oldest first: {}", definition.name(), late.size(), late);
        }
        due.sort(Comparator.comparing(Due::fireTime));
        return due;
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

    /**
     * The fire times of the catch-up window up to {@code now} that no instance has claimed, oldest
     * first. Fire times from before the definition was first seen do not count: they were never due.
     */
    List<Instant> missedFireTimes(LaunchDefinition definition, Instant now) {
        Instant from = now.minus(catchUp);
        Instant seen = firstSeen.computeIfAbsent(definition.name(), name -> runs.firstSeen(name, now));
        if (seen.isAfter(from)) {
            from = seen;
        }
        Set<Instant> claimed = runs.claimedSince(definition.name(), from);
        List<Instant> missed = new ArrayList<>();
        for (Instant time = next(definition, from); time != null && !time.isAfter(now); time = next(definition, time)) {
            if (!claimed.contains(time)) {
                missed.add(time);
            }
        }
        return missed;
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

    /**
     * Tries a failed or busy fire time again once its next try has come, if this instance wins it.
     *
     * @return whether this instance tried it
     */
    public boolean retry(LaunchDefinition definition, Instant fireTime, Instant now) {
        Optional<JobRunGuard.Lease> lease = guard.tryAcquire(leaseKey(definition, fireTime));
        if (lease.isEmpty()) {
            return false;
        }
        try (JobRunGuard.Lease held = lease.get()) {
            if (!runs.retry(definition.name(), fireTime, instance, now)) {
                return false;
            }
            logger.info("Schedule {} at {}: trying again (attempt {})", definition.name(), fireTime,
                    runs.attempts(definition.name(), fireTime));
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
            if (run.result() == DefinitionRunner.Result.COMPLETED) {
                runs.finish(definition.name(), fireTime, run.result().word(), detail, null);
                return;
            }
            finishForRetry(definition, fireTime, run.result().word(), detail);
        }
        catch (UsageException ex) {
            // a launch the period rule refuses (a literal period that has not ended) is refused again by a retry
            logger.warn("Schedule {} at {} was refused: {}", definition.name(), fireTime, ex.getMessage());
            runs.finish(definition.name(), fireTime, "error", ex.getMessage(), null);
        }
        catch (Exception ex) {
            if (interrupted()) {
                logger.warn("Schedule {} at {} was cut short by shutdown; left unfinished for resume", definition.name(), fireTime);
                return;
            }
            logger.error("Schedule {} at {} failed", definition.name(), fireTime, ex);
            finishForRetry(definition, fireTime, "error", String.valueOf(ex.getMessage()));
        }
    }

    /** Records a failed or busy attempt with its next try: backoff doubling per attempt, within the window. */
    private void finishForRetry(LaunchDefinition definition, Instant fireTime, String outcome, String detail) {
        int attempts = runs.attempts(definition.name(), fireTime);
        Instant next = clock.instant().plus(backoff(attempts));
        if (next.isAfter(fireTime.plus(catchUp))) {
            logger.warn("Schedule {} at {} ended {} after {} attempt(s): {}; not tried again, the next try would be after"
                    + " the catch-up window", definition.name(), fireTime, outcome, attempts, detail);
            runs.finish(definition.name(), fireTime, outcome, detail + "; no retry: the next try at " + next
                    + " is after the catch-up window (" + catchUp + ")", null);
            return;
        }
        logger.warn("Schedule {} at {} ended {} (attempt {}): {}; trying again at {}", definition.name(), fireTime, outcome,
                attempts, detail, next);
        runs.finish(definition.name(), fireTime, outcome, detail + "; next try at " + next, next);
    }

    /** {@code firstBackoff} after the first attempt, doubling with each further one, at most {@code maxBackoff}. */
    Duration backoff(int attempts) {
        Duration backoff = firstBackoff;
        for (int i = 1; i < attempts && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
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
                tick(definition, fireTime);
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
