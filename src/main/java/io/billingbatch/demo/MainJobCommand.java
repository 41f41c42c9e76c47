package io.billingbatch.demo;

import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.costreport.CostReportCommand;
import io.billingbatch.launch.Command;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.Commands;
import io.billingbatch.launch.Invocation;
import io.billingbatch.ledger.ReportPeriod;

/**
 * The main job, run when no command is named: fills an empty ledger with the demo ledger, then
 * runs {@code cost-report} for the last complete month (a month already reported is shown again, exit 0).
 */
public class MainJobCommand implements Command<ZoneId> {

    @Override
    public String name() {
        return Commands.MAIN;
    }

    @Override
    public Set<String> options() {
        return Set.of("zone");
    }

    @Override
    public String usage() {
        return """
                (no command)   the main job: fill an empty ledger with demo data, then run cost-report for
                               the last complete month and print the totals and where the reports landed""";
    }

    @Override
    public ZoneId check(Invocation invocation) {
        return ReportPeriod.parseZone(invocation.option("zone", "UTC"));
    }

    /** The ledger check and what cost-report's refusal reads: a month already reported needs no more. */
    @Override
    public List<Class<?>> databaseBeans() {
        List<Class<?>> beans = new ArrayList<>(new CostReportCommand().databaseBeans());
        beans.add(DemoLedgerGenerator.class);
        return beans;
    }

    /** A month already reported, answered as {@link #run} answers it (exit 0); an empty ledger needs the whole application. */
    @Override
    public Optional<Integer> answerFromDatabase(ZoneId zone, CommandContext context) {
        if (context.bean(DemoLedgerGenerator.class).isLedgerEmpty()) {
            return Optional.empty();
        }
        ReportPeriod period = ReportPeriod.lastCompleteMonth(context.clock().instant(), zone);
        return new CostReportCommand().answerWithoutRunning(new PeriodJobParameters(period, 1), false, true, context);
    }

    @Override
    public int run(ZoneId zone, CommandContext context) throws Exception {
        DemoLedgerGenerator demoLedger = context.bean(DemoLedgerGenerator.class);
        if (demoLedger.isLedgerEmpty()) {
            DemoLedgerSpec spec = DemoLedgerSpec.defaults(YearMonth.now(context.clock().withZone(ZoneOffset.UTC)));
            context.out().printf("The ledger is empty: generating the demo ledger (%,d accounts, %s to %s, about %,d rows)%n",
                    spec.accounts(), spec.firstMonth(), spec.firstMonth().plusMonths(spec.months() - 1), spec.targetRows());
            DemoDataCommand.print(demoLedger.generate(spec), context);
        }
        ReportPeriod period = ReportPeriod.lastCompleteMonth(context.clock().instant(), zone);
        return new CostReportCommand().launchFinal(period, true, context);
    }
}
