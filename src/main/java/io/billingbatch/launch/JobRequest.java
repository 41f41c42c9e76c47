package io.billingbatch.launch;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

import io.billingbatch.batch.PeriodJobParameters;

/**
 * What to launch: a job's period parameters and whether a completed period is run again. The
 * command line and the HTTP API both build it from the job's {@link PeriodJobCommand} and the same
 * {@code --name=value} options, with the same one-line reasons, so a launch means the same thing
 * wherever it comes from.
 */
public record JobRequest(String job, PeriodJobParameters parameters, boolean rerun) {

    /** The options that are flags ({@code --rerun}, {@code true}/{@code false} in a JSON body); the others take a value. */
    public static final Set<String> FLAGS = Set.of("rerun", "provisional", "dry-run");

    /**
     * Checks {@code options} for {@code job} exactly as the command line checks
     * {@code billing-batch <job> --name=value ...}; a job without a declaration takes a period, a zone and rerun.
     *
     * @throws UsageException with the command line's one-line reason
     */
    public static JobRequest parse(String job, Map<String, String> options, Clock clock) {
        PeriodJobCommand command = Commands.periodJob(job).orElseGet(() -> PeriodJobCommand.undeclared(job));
        String[] args = options.entrySet().stream().map(option -> "--" + option.getKey() + "=" + option.getValue())
                .toArray(String[]::new);
        Invocation invocation = Invocation.parse(command, args, 0);
        if (!invocation.springArguments().isEmpty()) {
            String name = invocation.springArguments().get(0).replaceFirst("=.*", "");
            throw new UsageException("unknown option " + name + " for " + job + " (configuration is not a job parameter)");
        }
        return command.check(invocation).request(job, clock);
    }
}
