package io.billingbatch.webhook;

import io.billingbatch.ledger.BalanceChanged;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Queues {@code billing_account.updated} for each credit the ledger posts, in the posting's transaction. */
@Component
class BalanceChangedEvents {

    private final WebhookOutbox outbox;

    BalanceChangedEvents(WebhookOutbox outbox) {
        this.outbox = outbox;
    }

    @EventListener
    void onBalanceChanged(BalanceChanged change) {
        outbox.enqueue(new BillingAccountEvent(change.eventId(), BillingAccountEvent.UPDATED, change.at(), change.accountId(),
                change.customerId(), change.name(), change.balance(), change.previousBalance()));
    }
}
