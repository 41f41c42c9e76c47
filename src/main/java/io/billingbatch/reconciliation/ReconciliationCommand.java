package io.billingbatch.reconciliation;

import java.util.Set;

import io.billingbatch.access.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.PeriodJobCommand;
import io.billingbatch.ledger.Money;

/** {@code reconciliation}: the period's findings by kind and its files. */
public class ReconciliationCommand extends PeriodJobCommand {

    public ReconciliationCommand() {
        super("reconciliation", Span.DAY_OR_MONTH, true, Set.of(Role.ADMIN, Role.FINANCE),
                "reconciliation --period=2026-10|2026-10-05 [--zone=UTC] [--rerun | --provisional]");
    }

    @Override
    protected java.util.List<Class<?>> resultBeans() {
        return java.util.List.of(JdbcReconciliationRepository.class, io.billingbatch.batch.PublishedRuns.class,
                ReconciliationSeals.class, MonthSegments.class, io.billingbatch.ledger.LedgerAmountBound.class);
    }

    @Override
    protected void printResult(PeriodJobParameters parameters, CommandContext context) {
        if (!parameters.provisional()) {
            var summary = context.bean(JdbcReconciliationRepository.class).summary(parameters.period());
            context.out().printf("  accounts checked %,d, clean %,d, findings %,d%n", summary.accountsChecked(),
                    summary.accountsClean(), summary.findings());
            summary.kinds().forEach(kind -> context.out().printf("  %-20s %,8d   |difference| %s USD%n", kind.kind(),
                    kind.findings(), Money.toUsd(kind.absoluteDifference())));
        }
        printFiles(parameters.period(), context);
    }
}
