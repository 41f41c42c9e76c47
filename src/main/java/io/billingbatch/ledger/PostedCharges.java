package io.billingbatch.ledger;

import java.util.List;
import java.util.Map;

/**
 * The one home of the rule "what counts as a charge, of which type": a ledger row is a charge when it
 * is posted usage ({@code transaction_type = 'usage'}, {@code status = 'end'}) and not soft-deleted;
 * its charge type is its {@code reference_type}, with {@code number_renew} counted as {@code number}.
 * <p>
 * The SQL fragments below are written for a ledger row aliased {@code b}. A statement that needs the
 * rule (the cost report's grouping, the reconciliation's sums and rating check) names them as tokens
 * ({@code {posted_usage}}, {@code {charge_type}}, {@code {charge_reference}}, {@code {is_call}},
 * {@code {is_sms}}, {@code {is_number}}) and is built once by {@link #expand(String)}: fragments of SQL,
 * never values. The Java methods say the same for rows already read; {@code PostedChargesTest} checks
 * that both agree in PostgreSQL.
 */
public final class PostedCharges {

    /** The {@code transaction_type} of usage. */
    public static final String USAGE = "usage";

    /** The {@code status} of a posted usage row. */
    public static final String POSTED = "end";

    /** The charge types of the reports, in their order. */
    public static final List<String> TYPES = List.of("call", "sms", "number");

    /** Each {@code reference_type} that is a charge, with the charge type it counts as. */
    public static final Map<String, String> TYPE_OF_REFERENCE = Map.of("call", "call", "sms", "sms", "number", "number",
            "number_renew", "number");

    /** SQL: row {@code b} is posted usage that is not deleted. */
    public static final String IS_POSTED_USAGE = "b.tm_delete IS NULL AND b.transaction_type = 'usage' AND b.status = 'end'";

    /** SQL: row {@code b}'s charge type ({@code number_renew} as {@code number}; another reference type as itself). */
    public static final String CHARGE_TYPE = "CASE b.reference_type WHEN 'number_renew' THEN 'number' ELSE b.reference_type END";

    /** SQL: row {@code b}'s reference type is one of a charge. */
    public static final String IS_CHARGE_REFERENCE = "b.reference_type IN ('call', 'sms', 'number', 'number_renew')";

    /** SQL: row {@code b}'s reference type counts as a {@code call}. */
    public static final String IS_CALL = "b.reference_type = 'call'";

    /** SQL: row {@code b}'s reference type counts as an {@code sms}. */
    public static final String IS_SMS = "b.reference_type = 'sms'";

    /** SQL: row {@code b}'s reference type counts as a {@code number}. */
    public static final String IS_NUMBER = "b.reference_type IN ('number', 'number_renew')";

    private static final Map<String, String> TOKENS = Map.of("{posted_usage}", IS_POSTED_USAGE, "{charge_type}", CHARGE_TYPE,
            "{charge_reference}", IS_CHARGE_REFERENCE, "{is_call}", IS_CALL, "{is_sms}", IS_SMS, "{is_number}", IS_NUMBER);

    private PostedCharges() {
    }

    /** The statement with each token of this rule replaced by its fragment. */
    public static String expand(String sql) {
        String expanded = sql;
        for (Map.Entry<String, String> token : TOKENS.entrySet()) {
            expanded = expanded.replace(token.getKey(), token.getValue());
        }
        return expanded;
    }

    /** Whether a row (or a group of rows) of this transaction type and status is posted usage. */
    public static boolean isPostedUsage(String transactionType, String status) {
        return USAGE.equals(transactionType) && POSTED.equals(status);
    }

    /** The charge type a {@code reference_type} counts as, or null when it is no charge. */
    public static String chargeType(String referenceType) {
        return referenceType == null ? null : TYPE_OF_REFERENCE.get(referenceType);
    }

    /** Whether a charge type (as {@link #CHARGE_TYPE} gives it) is one the reports know. */
    public static boolean isChargeType(String type) {
        return type != null && TYPES.contains(type);
    }
}
