package io.billingbatch.topup;

import java.util.Set;

import io.billingbatch.access.Role;
import io.billingbatch.launch.PeriodJobCommand;

/** {@code auto-topup}: a business day's top-ups (today by default), or their plan with {@code --dry-run}. */
public class AutoTopUpCommand extends PeriodJobCommand {

    public AutoTopUpCommand() {
        super("auto-topup", Span.BUSINESS_DAY, false, Set.of(Role.ADMIN),
                "auto-topup     [--date=yyyy-MM-dd (today, UTC)] [--dry-run] [--rerun]");
    }
}
