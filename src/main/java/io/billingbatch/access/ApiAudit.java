package io.billingbatch.access;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Who did what through the API (or the command line). Written in the caller's transaction, so an action and its audit row commit together. */
@Component
public class ApiAudit {

    private static final String INSERT = """
            INSERT INTO api_audit (token_id, token_name, role, action, target, detail)
            VALUES (:tokenId, :tokenName, :role, :action, :target, :detail)
            """;

    private final JdbcClient jdbc;

    public ApiAudit(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(ApiPrincipal principal, String action, String target, String detail) {
        jdbc.sql(INSERT).param("tokenId", principal.tokenId()).param("tokenName", principal.name())
                .param("role", principal.role().word()).param("action", action).param("target", target).param("detail", detail)
                .update();
    }
}
