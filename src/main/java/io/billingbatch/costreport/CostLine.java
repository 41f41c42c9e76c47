package io.billingbatch.costreport;

import java.util.UUID;

import io.billingbatch.batch.RejectableItem;

/**
 * One account's charges of one type in a period, as grouped from the ledger. {@code cost} is in
 * micro-USD and positive for money charged. {@code transactionType} and {@code status} are carried
 * so rows that are not posted usage can be rejected rather than counted.
 */
public record CostLine(UUID accountId, UUID customerId, String accountName, String transactionType, String status,
        String type, long records, long billableUnits, long cost) implements RejectableItem {

    @Override
    public String rejectKey() {
        return accountId + "/" + transactionType + "/" + status + "/" + type;
    }
}
