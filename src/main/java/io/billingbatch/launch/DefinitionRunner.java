package io.billingbatch.launch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.ReportPeriod;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.stereotype.Component;

/**
 * Runs a launch definition's jobs in order for the periods its rules give at a fire time, through
 * {@link PeriodJobLauncher} (a complete period is skipped, a failed one restarted, a live one left
 * alone). The chain stops at the first job that fails or is running elsewhere, since later jobs
 * rely on the earlier ones, and at a launch the period rule refuses (a literal period that has not
 * ended), with the launcher's reason. Both {@code run-definition} and the schedule of {@code serve} use it.
 */
@Component
public class DefinitionRunner {

    private final PeriodJobLauncher launcher;

    private final JobCatalog jobs;

    public DefinitionRunner(PeriodJobLauncher launcher, JobCatalog jobs) {
        this.launcher = launcher;
        this.jobs = jobs;
    }

    /** One job of the chain and what its launch did. */
    public record Step(Job job, PeriodJobParameters parameters, LaunchOutcome outcome) {

        public String describe() {
            ReportPeriod period = parameters.period();
            return job.getName() + " " + period.key() + " (" + period.zone().getId() + ")";
        }
    }

    /** How the chain ended. */
    public enum Result {
        /** Every job completed now or had completed before. */
        COMPLETED,
        /** A job ended in failure; the rest did not run. */
        FAILED,
        /** A job was running in another process; the rest did not run. */
        BUSY;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record Run(Result result, List<Step> steps) {
    }

    /** Checks that every job the definition names exists, before anything runs. */
    public void checkJobs(LaunchDefinition definition) {
        for (String name : definition.periodRules().keySet()) {
            if (jobs.find(name).isEmpty()) {
                throw new IllegalArgumentException(definition.file() + ": field jobs '" + name + "' is not a job of this"
                        + " application (" + String.join(", ", jobs.names()) + ")");
            }
        }
    }

    /** Runs the chain as it fires at {@code firedAt}; {@code each} hears of every job right after its launch. */
    public Run run(LaunchDefinition definition, Instant firedAt, Consumer<Step> each) throws Exception {
        checkJobs(definition);
        List<Step> steps = new ArrayList<>();
        for (Map.Entry<String, ReportPeriod> planned : definition.plan(firedAt)) {
            Job job = jobs.find(planned.getKey()).orElseThrow();
            PeriodJobParameters parameters = new PeriodJobParameters(planned.getValue(), 1,
                    definition.dryRunJobs().contains(planned.getKey()));
            LaunchOutcome outcome;
            try {
                outcome = launcher.launch(job, parameters, false);
            }
            catch (LaunchRefusedException ex) {
                throw new LaunchRefusedException(definition.file() + ": " + ex.getMessage());
            }
            Step step = new Step(job, parameters, outcome);
            steps.add(step);
            each.accept(step);
            if (step.outcome() instanceof LaunchOutcome.AlreadyRunning) {
                return new Run(Result.BUSY, steps);
            }
            if (step.outcome() instanceof LaunchOutcome.Ran ran && ran.execution().getStatus() != BatchStatus.COMPLETED) {
                return new Run(Result.FAILED, steps);
            }
        }
        return new Run(Result.COMPLETED, steps);
    }
}
