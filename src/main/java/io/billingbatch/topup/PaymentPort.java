package io.billingbatch.topup;

import java.util.UUID;

/**
 * Where an auto top-up's money comes from. {@code grant} is the document's admin credit and always
 * succeeds; {@code http} asks a payment endpoint to charge first and credits only after it
 * succeeds. The idempotency key travels with the charge, so a retried charge is not taken twice.
 */
public interface PaymentPort {

    /** Asks for one charge; never throws for what the provider answers or fails to answer. */
    Answer charge(UUID accountId, long amountMicros, UUID idempotencyKey);

    /**
     * The provider's answer. {@code UNKNOWN} is an answer that did not come (a timeout after the
     * request was sent, a connection lost, a server error): the provider may have charged, so the
     * top-up stays reserved and is asked again under the same key, never under a new one.
     */
    record Answer(Outcome outcome, String reason) {

        public enum Outcome {
            CHARGED, DECLINED, UNKNOWN
        }

        public static Answer charged() {
            return new Answer(Outcome.CHARGED, null);
        }

        public static Answer declined(String reason) {
            return new Answer(Outcome.DECLINED, reason);
        }

        public static Answer unknown(String reason) {
            return new Answer(Outcome.UNKNOWN, reason);
        }
    }
}
