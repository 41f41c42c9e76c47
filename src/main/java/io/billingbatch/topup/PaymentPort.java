package io.billingbatch.topup;

import java.util.UUID;

/**
 * Where an auto top-up's money comes from. {@code grant} is the document's admin credit and always
 * succeeds; {@code http} asks a payment endpoint to charge first and credits only after it
 * succeeds. The idempotency key travels with the charge, so a retried charge is not taken twice.
 */
public interface PaymentPort {

    /** @return null when the charge succeeded, else why not (a decline, a timeout, an error) */
    String charge(UUID accountId, long amountMicros, UUID idempotencyKey);
}
