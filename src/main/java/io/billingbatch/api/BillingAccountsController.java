package io.billingbatch.api;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.Role;
import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.JdbcBillingAccounts;
import io.billingbatch.ledger.JdbcTrafficPauses;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The document's billing-account API: get, list, and add balance. */
@RestController
@RequestMapping("/v1.0/billing_accounts")
class BillingAccountsController {

    static final int DEFAULT_PAGE_SIZE = 100;

    static final int MAX_PAGE_SIZE = 1000;

    private final JdbcBillingAccounts accounts;

    private final BalanceService balances;

    private final JdbcTrafficPauses pauses;

    private final VisibleAccounts visibleAccounts;

    BillingAccountsController(JdbcBillingAccounts accounts, BalanceService balances, JdbcTrafficPauses pauses,
            VisibleAccounts visibleAccounts) {
        this.visibleAccounts = visibleAccounts;
        this.pauses = pauses;
        this.accounts = accounts;
        this.balances = balances;
    }

    /** The body of {@code POST .../balance}. */
    record BalanceRequest(BigDecimal amount) {
    }

    @GetMapping("/{id}")
    Map<String, Object> account(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id) {
        return withPause(visible(principal, id));
    }

    /** The document's account JSON plus {@code traffic_paused} (issue 10: balance below billing.alerts.critical). */
    private Map<String, Object> withPause(BillingAccount account) {
        Map<String, Object> json = AccountJson.of(account);
        json.put("traffic_paused", pauses.paused(account.id()));
        return json;
    }

    @GetMapping
    Map<String, Object> accounts(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(name = "page_size", required = false) String pageSize,
            @RequestParam(name = "page_token", required = false) String pageToken) {
        int size = pageSize(pageSize);
        List<BillingAccount> page = accounts.page(principal.role() == Role.CUSTOMER ? principal.customerId() : null,
                afterId(pageToken), size);
        Map<String, Object> json = new LinkedHashMap<>();
        java.util.Set<UUID> paused = pauses.paused(page.stream().map(BillingAccount::id).toList());
        json.put("result", page.stream().map(account -> {
            Map<String, Object> one = AccountJson.of(account);
            one.put("traffic_paused", paused.contains(account.id()));
            return one;
        }).toList());
        json.put("next_page_token", page.size() < size ? "" : token(page.get(page.size() - 1).id()));
        return json;
    }

    @PostMapping("/{id}/balance")
    Map<String, Object> addBalance(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id,
            @RequestBody BalanceRequest request,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        if (principal.role() == Role.CUSTOMER) {
            visible(principal, id); // another customer's account is a 404 before it is a 403
        }
        return withPause(balances.addBalance(principal, id, request.amount(), idempotencyKey));
    }

    /** The account if the token may see it; another customer's account does not exist for a customer token. */
    BillingAccount visible(ApiPrincipal principal, UUID id) {
        return visibleAccounts.get(principal, id);
    }

    private static int pageSize(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(text.trim());
            if (size >= 1 && size <= MAX_PAGE_SIZE) {
                return size;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw ApiException.badRequest("page_size must be a whole number from 1 to " + MAX_PAGE_SIZE + ", was '" + text + "'");
    }

    private static String token(UUID lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static UUID afterId(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.UTF_8));
        }
        catch (IllegalArgumentException ex) {
            throw ApiException.badRequest("page_token '" + token + "' is not a token this API gave out");
        }
    }
}
