package io.billingbatch.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.PeriodJobLauncher.LaunchOutcome;
import io.billingbatch.ledger.ReportPeriod;

/** {@code run-definition jobs/<file>.properties}: a launch definition's jobs now, in order; stops at the first failure. */
public class RunDefinitionCommand implements Command<LaunchDefinition> {

    @Override
    public String name() {
        return "run-definition";
    }

    @Override
    public Set<String> options() {
        return Set.of("file");
    }

    @Override
    public String positionalOption() {
        return "file";
    }

    @Override
    public String usage() {
        return "run-definition jobs/<file>.properties   run a launch definition's jobs now, in order";
    }

    @Override
    public LaunchDefinition check(Invocation invocation) {
        String file = invocation.options().get("file");
        if (file == null) {
            throw new UsageException("run-definition needs the definition's file, e.g. run-definition jobs/nightly.properties");
        }
        return LaunchDefinition.load(Path.of(file));
    }

    /** The launcher alone: a definition whose jobs are all complete, or whose first job to run is refused, needs no job. */
    @Override
    public List<Class<?>> databaseBeans() {
        return List.of(PeriodJobLauncher.class, JobRunGuard.class, RunHeartbeats.class);
    }

    /**
     * A chain with nothing to run, answered as {@link #run} answers it: every job's period already complete (exit 0),
     * or a launch the period rule refuses after only such jobs (exit 2); empty as soon as a job would run.
     */
    @Override
    public Optional<Integer> answerFromDatabase(LaunchDefinition definition, CommandContext context) {
        PeriodJobLauncher launcher = context.bean(PeriodJobLauncher.class);
        List<Runnable> reports = new ArrayList<>();
        for (Map.Entry<String, ReportPeriod> planned : definition.plan(context.clock().instant())) {
            String job = planned.getKey();
            PeriodJobParameters parameters = new PeriodJobParameters(planned.getValue(), 1, definition.dryRunJobs().contains(job));
            Optional<LaunchOutcome> outcome;
            try {
                outcome = launcher.withoutRunning(job, parameters, false);
            }
            catch (LaunchRefusedException ex) {
                printHeader(definition, context);
                reports.forEach(Runnable::run);
                throw new LaunchRefusedException(definition.file() + ": " + ex.getMessage()); // as DefinitionRunner words it
            }
            if (outcome.isEmpty()) {
                return Optional.empty();
            }
            reports.add(() -> PeriodJobCommand.report(job, parameters, outcome.get(), true, () -> {
            }, context));
        }
        printHeader(definition, context);
        reports.forEach(Runnable::run);
        return Optional.of(CommandLine.OK);
    }

    @Override
    public int run(LaunchDefinition definition, CommandContext context) throws Exception {
        printHeader(definition, context);
        DefinitionRunner.Run run = context.bean(DefinitionRunner.class).run(definition, context.clock().instant(),
                step -> PeriodJobCommand.report(step.job().getName(), step.parameters(), step.outcome(), true, () -> {
                }, context));
        return run.result() == DefinitionRunner.Result.COMPLETED ? CommandLine.OK : CommandLine.FAILED;
    }

    private static void printHeader(LaunchDefinition definition, CommandContext context) {
        context.out().printf("%s (%s, cron '%s', zone %s)%n", definition.name(), definition.file(), definition.cronText(),
                definition.zone().getId());
    }
}
