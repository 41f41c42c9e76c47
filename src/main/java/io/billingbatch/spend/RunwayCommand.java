package io.billingbatch.spend;

import java.util.Set;

import io.billingbatch.access.Role;
import io.billingbatch.launch.PeriodJobCommand;

/** {@code runway}: every live account's burn rate and runway as of a business day (today by default). */
public class RunwayCommand extends PeriodJobCommand {

    public RunwayCommand() {
        super("runway", Span.BUSINESS_DAY, false, Set.of(Role.ADMIN, Role.FINANCE), """
                runway         [--date=yyyy-MM-dd (today, UTC)] [--rerun]   every live account's burn rate and
                               runway (reports/<day>/runway-<day>.csv, .xlsx) and billing_account.runway_low""");
    }

    @Override
    public boolean offersDryRun() {
        return false;
    }
}
