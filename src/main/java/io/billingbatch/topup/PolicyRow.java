package io.billingbatch.topup;

import java.util.UUID;

import io.billingbatch.batch.RejectableItem;

import org.springframework.jdbc.core.RowMapper;

/**
 * A row of {@code auto_topup_policies} as stored, with the account's balance when read for the job.
 * Not yet a policy: the table's checks came after rows could be written directly, so a row may break
 * the rules; {@link #toPolicy()} says which one.
 */
record PolicyRow(UUID accountId, boolean enabled, long threshold, String mode, long amount, Long target, int maxPerDay,
        long monthlyCap, String funding, int maxConsecutiveFailures, Long balance) implements RejectableItem {

    /** The rows with their accounts' balances ({@code null} when the account is missing); add a {@code WHERE}. */
    static final String SELECT = """
            SELECT p.*, a.balance_credit AS balance
            FROM auto_topup_policies p LEFT JOIN billing_accounts a ON a.id = p.account_id
            """;

    static final RowMapper<PolicyRow> ROW_MAPPER = (rs, i) -> new PolicyRow(rs.getObject("account_id", UUID.class),
            rs.getBoolean("enabled"), rs.getLong("threshold_credit"), rs.getString("mode"), rs.getLong("amount_credit"),
            rs.getObject("target_credit", Long.class), rs.getInt("max_per_day"), rs.getLong("monthly_cap_credit"),
            rs.getString("funding"), rs.getInt("max_consecutive_failures"), rs.getObject("balance", Long.class));

    /** @throws InvalidTopUpPolicyException with the rule the row breaks */
    TopUpPolicy toPolicy() {
        try {
            return new TopUpPolicy(accountId, enabled, threshold, mode, amount, target, maxPerDay, monthlyCap);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidTopUpPolicyException(accountId, ex.getMessage());
        }
    }

    /** @throws InvalidTopUpPolicyException with the rule the row breaks */
    TopUpCandidate toCandidate() {
        TopUpPolicy policy = toPolicy();
        try {
            TopUpPolicy.checkFunding(funding, maxConsecutiveFailures);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidTopUpPolicyException(accountId, ex.getMessage());
        }
        return new TopUpCandidate(policy, funding);
    }

    @Override
    public String rejectKey() {
        return accountId.toString();
    }
}
