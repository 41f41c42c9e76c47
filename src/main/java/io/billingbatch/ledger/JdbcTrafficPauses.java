package io.billingbatch.ledger;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Reads the traffic pause flag ({@code billing_accounts.traffic_paused}, set and cleared by the
 * low-balance alert, see {@code LowBalanceAlerts}) for the API's account JSON.
 */
@Repository
public class JdbcTrafficPauses {

    private final JdbcClient jdbc;

    public JdbcTrafficPauses(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The accounts among {@code ids} whose traffic is paused. */
    public Set<UUID> paused(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return jdbc.sql("SELECT id FROM billing_accounts WHERE traffic_paused AND id = ANY (:ids)")
                .param("ids", ids.toArray(UUID[]::new)).query(UUID.class).list().stream().collect(Collectors.toSet());
    }

    public boolean paused(UUID id) {
        return !paused(List.of(id)).isEmpty();
    }
}
