package io.billingbatch.spend;

import java.util.Set;

import io.billingbatch.access.Role;
import io.billingbatch.launch.PeriodJobCommand;

/** {@code spend-anomalies}: a day's spend per account and type against the account's own recent days. */
public class SpendAnomaliesCommand extends PeriodJobCommand {

    public SpendAnomaliesCommand() {
        super("spend-anomalies", Span.DAY, false, Set.of(Role.ADMIN, Role.FINANCE), """
                spend-anomalies --period=2026-10-05 [--zone=UTC] [--rerun]   a day's spend per type against the
                               account's last 14 days (reports/<day>/spend-anomalies-<day>.csv)""");
    }
}
