package io.billingbatch.launch;

import java.nio.file.Path;
import java.util.Set;

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

    @Override
    public int run(LaunchDefinition definition, CommandContext context) throws Exception {
        context.out().printf("%s (%s, cron '%s', zone %s)%n", definition.name(), definition.file(), definition.cronText(),
                definition.zone().getId());
        DefinitionRunner.Run run = context.bean(DefinitionRunner.class).run(definition, context.clock().instant(),
                step -> PeriodJobCommand.report(step.job().getName(), step.parameters(), step.outcome(), true, () -> {
                }, context));
        return run.result() == DefinitionRunner.Result.COMPLETED ? CommandLine.OK : CommandLine.FAILED;
    }
}
