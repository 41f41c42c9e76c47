package io.billingbatch.topup;

import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.UUID;

import io.billingbatch.ledger.Money;
import io.billingbatch.webhook.BillingAccountEvent;
import io.billingbatch.webhook.WebhookOutbox;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Raises {@code billing_account.low_balance} for live accounts under the low (default $20.00) or
 * critical (default $5.00) level, once per account, level and day: the alert row and its event are
 * written together, and a later run the same day finds the row and stays quiet.
 * <p>
 * It also keeps the traffic pause flag ({@code billing_accounts.traffic_paused}, V24): set on a live
 * active account whose balance is below the critical level, cleared once the balance is back at or
 * above the low level (between the two it stays as it was, so an account hovering at the critical
 * level does not flap). The platform reads the flag to hold outbound traffic; {@code status} and
 * the ledger are not touched, so the top-up that ends the pause is taken as ever.
 */
@Component
public class LowBalanceAlerts {

    private static final String RAISE = """
            INSERT INTO low_balance_alerts (account_id, business_date, level, balance)
            SELECT a.id, ?, ?, a.balance_credit FROM billing_accounts a
            WHERE a.tm_delete IS NULL AND a.status = 'active' AND a.balance_credit < ?
            ON CONFLICT (account_id, business_date, level) DO NOTHING
            RETURNING account_id, balance
            """;

    private static final String PAUSE = """
            UPDATE billing_accounts SET traffic_paused = true, tm_traffic_paused = ?
            WHERE NOT traffic_paused AND tm_delete IS NULL AND status = 'active' AND balance_credit < ?
            """;

    private static final String RESUME = """
            UPDATE billing_accounts SET traffic_paused = false, tm_traffic_paused = NULL
            WHERE traffic_paused AND (balance_credit >= ? OR tm_delete IS NOT NULL)
            """;

    private static final String RESUME_ONE = """
            UPDATE billing_accounts SET traffic_paused = false, tm_traffic_paused = NULL
            WHERE id = ? AND traffic_paused AND balance_credit >= ?
            """;

    private final JdbcTemplate jdbc;

    private final WebhookOutbox outbox;

    private final Clock clock;

    private final long low;

    private final long critical;

    public LowBalanceAlerts(JdbcTemplate jdbc, WebhookOutbox outbox, Clock clock,
            @Value("${billing.alerts.low:20.00}") String low, @Value("${billing.alerts.critical:5.00}") String critical) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.clock = clock;
        this.low = Money.fromUsd(low);
        this.critical = Money.fromUsd(critical);
    }

    /** Call in a transaction; returns how many alerts were raised. */
    public int raise(LocalDate businessDate) {
        int raised = raise(businessDate, "low", low) + raise(businessDate, "critical", critical);
        updatePauses();
        return raised;
    }

    /** Sets the pause flag of accounts below the critical level and clears it of those back at or above the low level. */
    public void updatePauses() {
        jdbc.update(RESUME, low);
        jdbc.update(PAUSE, java.sql.Timestamp.from(clock.instant()), critical);
    }

    /** Clears one account's pause when its balance is back at or above the low level (after a credit); call in its transaction. */
    public boolean resumeIfRecovered(UUID accountId) {
        return jdbc.update(RESUME_ONE, accountId, low) > 0;
    }

    private int raise(LocalDate businessDate, String level, long below) {
        var raised = jdbc.queryForList(RAISE, Date.valueOf(businessDate), level, below);
        for (var alert : raised) {
            UUID accountId = (UUID) alert.get("account_id");
            long balance = ((Number) alert.get("balance")).longValue();
            var account = jdbc.queryForMap("SELECT customer_id, name FROM billing_accounts WHERE id = ?", accountId);
            UUID eventId = UUID.nameUUIDFromBytes(("low_balance|" + accountId + "|" + businessDate + "|" + level)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            outbox.enqueue(new BillingAccountEvent(eventId, BillingAccountEvent.LOW_BALANCE, clock.instant(), accountId,
                    (UUID) account.get("customer_id"), (String) account.get("name"), balance, balance));
        }
        return raised.size();
    }
}
