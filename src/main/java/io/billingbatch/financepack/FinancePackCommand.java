package io.billingbatch.financepack;

import java.util.Set;

import io.billingbatch.access.Role;
import io.billingbatch.launch.PeriodJobCommand;

/** {@code finance-pack}: one zip of a month's reports with their manifest, once the month has ended. */
public class FinancePackCommand extends PeriodJobCommand {

    public FinancePackCommand() {
        super("finance-pack", Span.MONTH, false, Set.of(Role.ADMIN, Role.FINANCE),
                "finance-pack   --period=2026-10 [--zone=UTC] [--rerun]   one zip of the month's reports and manifest");
    }
}
