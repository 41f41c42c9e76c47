package io.billingbatch.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Reads billing accounts; pages in id order so a page token is simply the last id seen. */
@Repository
public class JdbcBillingAccounts {

    private static final String COLUMNS = """
            id, customer_id, name, detail, status, balance_credit, payment_type, payment_method, tm_create, tm_update, tm_delete
            """;

    private static final String FIND = "SELECT " + COLUMNS + " FROM billing_accounts WHERE id = ?";

    private static final String LOCK = FIND + " FOR UPDATE";

    private static final String PAGE = "SELECT " + COLUMNS + """
             FROM billing_accounts
            WHERE tm_delete IS NULL AND (?::uuid IS NULL OR customer_id = ?::uuid) AND (?::uuid IS NULL OR id > ?::uuid)
            ORDER BY id
            LIMIT ?
            """;

    private final JdbcTemplate jdbc;

    public JdbcBillingAccounts(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<BillingAccount> find(UUID id) {
        return jdbc.query(FIND, JdbcBillingAccounts::account, id).stream().findFirst();
    }

    /** The account, its row locked until the surrounding transaction ends. */
    public Optional<BillingAccount> lock(UUID id) {
        return jdbc.query(LOCK, JdbcBillingAccounts::account, id).stream().findFirst();
    }

    /** Up to {@code limit} live accounts after {@code afterId}, of one customer or (null) of all. */
    public List<BillingAccount> page(UUID customerId, UUID afterId, int limit) {
        return jdbc.query(PAGE, JdbcBillingAccounts::account, customerId, customerId, afterId, afterId, limit);
    }

    private static BillingAccount account(ResultSet rs, int row) throws SQLException {
        return new BillingAccount(rs.getObject("id", UUID.class), rs.getObject("customer_id", UUID.class),
                rs.getString("name"), rs.getString("detail"), rs.getString("status"), rs.getLong("balance_credit"),
                rs.getString("payment_type"), rs.getString("payment_method"), instant(rs.getTimestamp("tm_create")),
                instant(rs.getTimestamp("tm_update")), instant(rs.getTimestamp("tm_delete")));
    }

    private static java.time.Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
