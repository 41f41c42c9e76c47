package io.billingbatch.topup;

import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Stores auto top-up policies; a policy is validated when it is built, so only good values get here. */
@Repository
public class JdbcTopUpPolicies {

    private static final String UPSERT = """
            INSERT INTO auto_topup_policies (account_id, enabled, threshold_credit, mode, amount_credit, target_credit,
                max_per_day, monthly_cap_credit)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (account_id) DO UPDATE SET
                enabled = EXCLUDED.enabled, threshold_credit = EXCLUDED.threshold_credit, mode = EXCLUDED.mode,
                amount_credit = EXCLUDED.amount_credit, target_credit = EXCLUDED.target_credit,
                max_per_day = EXCLUDED.max_per_day, monthly_cap_credit = EXCLUDED.monthly_cap_credit,
                consecutive_failures = 0, tm_update = now()
            """;

    private final JdbcTemplate jdbc;

    public JdbcTopUpPolicies(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void save(TopUpPolicy policy) {
        jdbc.update(UPSERT, policy.accountId(), policy.enabled(), policy.threshold(), policy.mode(), policy.amount(),
                policy.target(), policy.maxPerDay(), policy.monthlyCap());
    }

    /**
     * How the account's top-ups are paid ({@code grant} or {@code http}) and after how many
     * consecutive failed attempts the policy disables itself.
     */
    public void useFunding(UUID accountId, String funding, int maxConsecutiveFailures) {
        TopUpPolicy.checkFunding(funding, maxConsecutiveFailures);
        jdbc.update("UPDATE auto_topup_policies SET funding = ?, max_consecutive_failures = ?, tm_update = now() WHERE account_id = ?",
                funding, maxConsecutiveFailures, accountId);
    }

    /** A policy with how it is paid and its failure count, as the API shows it. */
    public record Settings(TopUpPolicy policy, String funding, int maxConsecutiveFailures, int consecutiveFailures) {
    }

    /** Saves the policy and its funding together. */
    @Transactional
    public void save(TopUpPolicy policy, String funding, int maxConsecutiveFailures) {
        save(policy);
        useFunding(policy.accountId(), funding, maxConsecutiveFailures);
    }

    /** @throws InvalidTopUpPolicyException when the stored row is not a valid policy (a direct write) */
    public Optional<Settings> findSettings(UUID accountId) {
        return jdbc.query(PolicyRow.SELECT + "WHERE p.account_id = ?", (rs, i) -> new Settings(
                PolicyRow.ROW_MAPPER.mapRow(rs, i).toPolicy(), rs.getString("funding"), rs.getInt("max_consecutive_failures"),
                rs.getInt("consecutive_failures")), accountId).stream().findFirst();
    }

    /** @throws InvalidTopUpPolicyException when the stored row is not a valid policy (a direct write) */
    public Optional<TopUpPolicy> find(UUID accountId) {
        return jdbc.query(PolicyRow.SELECT + "WHERE p.account_id = ?", PolicyRow.ROW_MAPPER, accountId).stream()
                .findFirst().map(PolicyRow::toPolicy);
    }
}
