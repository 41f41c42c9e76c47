package io.billingbatch.spend;

/**
 * What counts as spend, shared by every query of this package: exactly the rows the cost report
 * counts (its {@code GROUPED_LEDGER_SQL} and {@code CostLineProcessor}): posted ({@code status =
 * 'end'}, {@code tm_posted} set), not soft-deleted, {@code usage} of a known type ({@code call},
 * {@code sms}, {@code number} with {@code number_renew}), with an amount within the ledger's sanity
 * bound. The rows the cost report rejects (another transaction type or status, an unknown
 * reference type, a NULL amount or one beyond the bound) are spend of no period here either.
 * Named parameter {@code max_amount}: the bound in micro-USD.
 */
final class SpendSql {

    /** The conditions on a ledger row {@code b}. */
    static final String COUNTED = """
            b.tm_delete IS NULL AND b.transaction_type = 'usage' AND b.status = 'end'
            AND b.reference_type IN ('call', 'sms', 'number', 'number_renew')
            AND b.amount_credit BETWEEN -:max_amount AND :max_amount
            """;

    /** The cost report's type of a row {@code b}: number and number_renew are both {@code number}. */
    static final String TYPE = "CASE b.reference_type WHEN 'number_renew' THEN 'number' ELSE b.reference_type END";

    private SpendSql() {
    }
}
