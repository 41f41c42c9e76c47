package io.billingbatch.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.JdbcApiTokens;
import io.billingbatch.access.JdbcApiTokens.TokenRow;
import io.billingbatch.access.Role;
import io.billingbatch.access.TokenAdministration;
import io.billingbatch.access.TokenAdministration.Revocation;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The API tokens, for admin tokens only: list them (never a secret or its hash) and revoke one,
 * which refuses it from its next request on (401) and is audited as {@code token.revoke}.
 */
@RestController
@RequestMapping("/v1.0/tokens")
class TokensController {

    private final JdbcApiTokens tokens;

    private final TokenAdministration administration;

    TokensController(JdbcApiTokens tokens, TokenAdministration administration) {
        this.tokens = tokens;
        this.administration = administration;
    }

    @GetMapping
    List<Map<String, Object>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(defaultValue = "false") boolean all) {
        principal.require("listing tokens", Role.ADMIN);
        return tokens.list(all).stream().map(TokensController::json).toList();
    }

    @DeleteMapping("/{id}")
    Map<String, Object> revoke(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id) {
        principal.require("revoking tokens", Role.ADMIN);
        Revocation revocation = administration.revoke(id, principal)
                .orElseThrow(() -> ApiException.notFound("no token " + id));
        if (!revocation.revokedNow()) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", "token " + id + " was already revoked at "
                    + AccountJson.TIMESTAMP.format(revocation.token().revoked().toInstant()));
        }
        return json(revocation.token());
    }

    private static Map<String, Object> json(TokenRow token) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", token.id().toString());
        json.put("name", token.name());
        json.put("role", token.role().word());
        json.put("customer_id", token.customerId() == null ? null : token.customerId().toString());
        json.put("tm_create", AccountJson.TIMESTAMP.format(token.created().toInstant()));
        json.put("tm_revoke", token.revoked() == null ? null : AccountJson.TIMESTAMP.format(token.revoked().toInstant()));
        return json;
    }
}
