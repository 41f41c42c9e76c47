package io.billingbatch.api;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Who did what through the API. Written in the caller's transaction, so an action and its audit row commit together. */
@Component
public class ApiAudit {

    private final JdbcTemplate jdbc;

    public ApiAudit(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void record(ApiPrincipal principal, String action, String target, String detail) {
        jdbc.update("INSERT INTO api_audit (token_id, token_name, role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                principal.tokenId(), principal.name(), principal.role().word(), action, target, detail);
    }
}
