package io.billingbatch.topup;

import java.util.UUID;

/**
 * A stored policy row that is not a valid policy (possible by a direct write to the table): the
 * account is left out of the run with this reason, the others go on.
 */
public class InvalidTopUpPolicyException extends IllegalArgumentException {

    private final UUID accountId;

    public InvalidTopUpPolicyException(UUID accountId, String reason) {
        super(reason);
        this.accountId = accountId;
    }

    public UUID accountId() {
        return accountId;
    }
}
