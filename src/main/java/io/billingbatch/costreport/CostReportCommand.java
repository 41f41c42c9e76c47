package io.billingbatch.costreport;

import java.io.PrintStream;
import java.util.List;

import io.billingbatch.access.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.costreport.JdbcCostReportRepository.TypeTotal;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.PeriodJobCommand;
import io.billingbatch.ledger.Money;
import io.billingbatch.ledger.ReportPeriod;

/** {@code cost-report}: the period's totals by type and its files once it has run (or had run before). */
public class CostReportCommand extends PeriodJobCommand {

    public CostReportCommand() {
        super("cost-report", Span.DAY_OR_MONTH, true, java.util.Set.of(Role.ADMIN, Role.FINANCE), """
                cost-report    --period=2026-10|2026-10-05 [--zone=UTC] [--rerun]   (a period that has ended;
                               --provisional for the running period so far, never its result)""");
    }

    /** Launches the final run of {@code period}; for the main job, a period already reported is fine (exit 0). */
    public int launchFinal(ReportPeriod period, boolean completeIsFine, CommandContext context) throws Exception {
        return launch(new PeriodJobParameters(period, 1), false, completeIsFine, context);
    }

    @Override
    protected java.util.List<Class<?>> resultBeans() {
        return java.util.List.of(JdbcCostReportRepository.class, io.billingbatch.batch.PublishedRuns.class);
    }

    @Override
    protected void printResult(PeriodJobParameters parameters, CommandContext context) {
        if (!parameters.provisional()) {
            printTotals(parameters.period(), context.bean(CostReportRepository.class), context.out());
        }
        printFiles(parameters.period(), context);
    }

    private static void printTotals(ReportPeriod period, CostReportRepository costReports, PrintStream out) {
        List<TypeTotal> totals = costReports.totalsByType(period);
        out.printf("  %-7s %14s %16s %20s%n", "type", "records", "billable_units", "cost_usd");
        long records = 0;
        long cost = 0;
        for (TypeTotal total : totals) {
            out.printf("  %-7s %,14d %,16d %20s%n", total.type(), total.records(), total.billableUnits(), Money.toUsd(total.cost()));
            records = Math.addExact(records, total.records());
            cost = Math.addExact(cost, total.cost());
        }
        out.printf("  %-7s %,14d %16s %20s%n", "total", records, "", Money.toUsd(cost));
    }
}
