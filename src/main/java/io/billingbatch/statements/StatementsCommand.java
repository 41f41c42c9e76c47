package io.billingbatch.statements;

import java.util.Set;

import io.billingbatch.access.Role;
import io.billingbatch.launch.PeriodJobCommand;

/** {@code statements}: one PDF statement per account of a month, from the month's published reconciliation. */
public class StatementsCommand extends PeriodJobCommand {

    public StatementsCommand() {
        super("statements", Span.MONTH, false, Set.of(Role.ADMIN, Role.FINANCE), """
                statements     --period=2026-10 [--zone=UTC] [--rerun]   one PDF statement per account from the
                               month's published reconciliation, under reports/<month>/statements/""");
    }
}
