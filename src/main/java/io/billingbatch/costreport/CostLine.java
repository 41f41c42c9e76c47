package io.billingbatch.costreport;

import java.util.UUID;

import io.billingbatch.batch.RejectableItem;

/**
 * One account's charges of one type in a period, as grouped from the ledger. {@code cost} is in
 * micro-USD and positive for money charged. {@code transactionType} and {@code status} are carried
 * so rows that are not posted usage can be rejected rather than counted. {@code problem} says why
 * the line cannot be counted at all (a row without an amount or beyond the sanity bound, then named
 * by {@code ledgerId}; a sum that does not fit a long), null for a countable line.
 */
public record CostLine(UUID accountId, UUID customerId, String accountName, String transactionType, String status,
        String type, long records, long billableUnits, long cost, UUID ledgerId, String problem)
        implements RejectableItem {

    /** A line of grouped rows without a problem. */
    public CostLine(UUID accountId, UUID customerId, String accountName, String transactionType, String status,
            String type, long records, long billableUnits, long cost) {
        this(accountId, customerId, accountName, transactionType, status, type, records, billableUnits, cost, null, null);
    }

    @Override
    public String rejectKey() {
        return accountId + "/" + transactionType + "/" + status + "/" + type + (ledgerId == null ? "" : "/" + ledgerId);
    }
}
