package io.billingbatch.api;

import java.util.UUID;

import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.JdbcBillingAccounts;

import org.springframework.stereotype.Component;

/**
 * The billing account a request's principal may see: an admin or finance token every account, a
 * customer token its own customer's. Another customer's account is a 404, as one that does not
 * exist (never a 403, which would tell that it exists). Every endpoint under
 * {@code /v1.0/billing_accounts/{id}} looks its account up here.
 */
@Component
public class VisibleAccounts {

    private final JdbcBillingAccounts accounts;

    public VisibleAccounts(JdbcBillingAccounts accounts) {
        this.accounts = accounts;
    }

    /** @throws ApiException a 404 when the account does not exist or the principal may not read it */
    public BillingAccount get(ApiPrincipal principal, UUID id) {
        return accounts.find(id).filter(account -> principal.canRead(account.customerId()))
                .orElseThrow(() -> ApiException.notFound("billing account " + id + " does not exist"));
    }
}
