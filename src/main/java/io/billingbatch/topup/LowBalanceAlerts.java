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
        return raise(businessDate, "low", low) + raise(businessDate, "critical", critical);
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
