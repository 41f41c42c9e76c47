package io.billingbatch.api;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.billingbatch.access.ApiAudit;
import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.Role;
import io.billingbatch.ledger.JdbcBillingAccounts;
import io.billingbatch.ledger.Money;
import io.billingbatch.topup.JdbcTopUpPolicies;
import io.billingbatch.topup.TopUpPolicy;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An account's auto top-up policy (admin only): amounts in USD, as everywhere at the edge. */
@RestController
@RequestMapping("/v1.0/billing_accounts/{id}/auto_topup")
class TopUpPolicyController {

    private final JdbcTopUpPolicies policies;

    private final JdbcBillingAccounts accounts;

    private final ApiAudit audit;

    TopUpPolicyController(JdbcTopUpPolicies policies, JdbcBillingAccounts accounts, ApiAudit audit) {
        this.policies = policies;
        this.accounts = accounts;
        this.audit = audit;
    }

    /** Every field optional: what is left out takes the command line's default. */
    record PolicyRequest(Boolean enabled, BigDecimal threshold, String mode, BigDecimal amount, BigDecimal target,
            @JsonProperty("max_per_day") Integer maxPerDay, @JsonProperty("monthly_cap") BigDecimal monthlyCap,
            String funding, @JsonProperty("max_consecutive_failures") Integer maxConsecutiveFailures) {
    }

    @GetMapping
    Map<String, Object> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id) {
        principal.require("reading an auto top-up policy", Role.ADMIN);
        existing(id);
        return json(policies.findSettings(id)
                .orElseThrow(() -> ApiException.notFound("billing account " + id + " has no auto top-up policy")));
    }

    @PutMapping
    Map<String, Object> put(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id,
            @RequestBody PolicyRequest request) {
        principal.require("setting an auto top-up policy", Role.ADMIN);
        existing(id);
        TopUpPolicy policy = TopUpPolicy.withDefaults(id, request.enabled(), micros("threshold", request.threshold()),
                request.mode(), micros("amount", request.amount()), micros("target", request.target()), request.maxPerDay(),
                micros("monthly_cap", request.monthlyCap()));
        String funding = TopUpPolicy.fundingOrDefault(request.funding());
        policies.save(policy, funding, TopUpPolicy.maxConsecutiveFailuresOrDefault(request.maxConsecutiveFailures()));
        audit.record(principal, "topup_policy.put", id.toString(), policy.toString() + " funding " + funding);
        return json(policies.findSettings(id).orElseThrow());
    }

    private void existing(UUID id) {
        accounts.find(id).orElseThrow(() -> ApiException.notFound("billing account " + id + " does not exist"));
    }

    /** The amount in micro-USD, null when not given (the policy's default then). */
    private static Long micros(String field, BigDecimal usd) {
        if (usd == null) {
            return null;
        }
        try {
            return Money.fromUsd(usd);
        }
        catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(field + " must be a USD amount with at most six decimals, was " + usd.toPlainString());
        }
    }

    private static Map<String, Object> json(JdbcTopUpPolicies.Settings settings) {
        TopUpPolicy policy = settings.policy();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("account_id", policy.accountId().toString());
        json.put("enabled", policy.enabled());
        json.put("threshold", Money.toUsdJson(policy.threshold()));
        json.put("mode", policy.mode());
        json.put("amount", "fixed".equals(policy.mode()) ? Money.toUsdJson(policy.amount()) : null);
        json.put("target", policy.target() == null ? null : Money.toUsdJson(policy.target()));
        json.put("max_per_day", policy.maxPerDay());
        json.put("monthly_cap", Money.toUsdJson(policy.monthlyCap()));
        json.put("funding", settings.funding());
        json.put("max_consecutive_failures", settings.maxConsecutiveFailures());
        json.put("consecutive_failures", settings.consecutiveFailures());
        return json;
    }
}
