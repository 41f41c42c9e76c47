package io.billingbatch.seals;

import java.util.Set;

import io.billingbatch.access.Role;
import io.billingbatch.batch.PeriodJobParameters;
import io.billingbatch.launch.CommandContext;
import io.billingbatch.launch.PeriodJobCommand;

/** {@code verify-seals}: how many sealed ranges were read again, whether every seal holds, and its files. */
public class VerifySealsCommand extends PeriodJobCommand {

    public VerifySealsCommand() {
        super("verify-seals", Span.DAY_OR_MONTH, false, Set.of(Role.ADMIN, Role.FINANCE), """
                verify-seals   --period=2026-10|2026-10-05 [--zone=UTC] [--rerun]   recompute every range the
                               reconciliation sealed by the period's end; a change is sealed_period_changed""");
    }

    @Override
    protected java.util.List<Class<?>> resultBeans() {
        return java.util.List.of(JdbcSealVerifications.class, io.billingbatch.batch.PublishedRuns.class);
    }

    @Override
    protected void printResult(PeriodJobParameters parameters, CommandContext context) {
        context.bean(JdbcSealVerifications.class).summary(parameters.period()).ifPresent(summary -> {
            context.out().printf("  sealed ranges checked %,d (seals %,d), ledger rows read %,d, rows checked %,d%n",
                    summary.rangesChecked(), summary.sealsChecked(), summary.rowsRead(), summary.rowsChecked());
            context.out().printf("  %s %,d%s%n", SealFinding.SEALED_PERIOD_CHANGED, summary.findings(),
                    summary.findings() == 0 ? ": every seal holds" : ": a sealed range changed after it was sealed, see the files");
        });
        printFiles(parameters.period(), context);
    }
}
