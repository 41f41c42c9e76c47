package io.billingbatch.demo;

import java.nio.charset.StandardCharsets;

/**
 * The kinds of ledger rows the demo writes, with their {@code transaction_type} and {@code reference_type};
 * usage is rated by the {@link io.billingbatch.ledger.RateCard} of {@code billing_rates}.
 */
enum DemoRowType {

    TOP_UP("top_up", "top_up"),
    CALL("usage", "call"),
    SMS("usage", "sms"),
    NUMBER("usage", "number"),
    NUMBER_RENEW("usage", "number_renew");

    private final String transactionType;

    private final String referenceType;

    private final byte[] transactionTypeUtf8;

    private final byte[] referenceTypeUtf8;

    DemoRowType(String transactionType, String referenceType) {
        this.transactionType = transactionType;
        this.referenceType = referenceType;
        this.transactionTypeUtf8 = transactionType.getBytes(StandardCharsets.UTF_8);
        this.referenceTypeUtf8 = referenceType.getBytes(StandardCharsets.UTF_8);
    }

    String transactionType() {
        return transactionType;
    }

    String referenceType() {
        return referenceType;
    }

    byte[] transactionTypeUtf8() {
        return transactionTypeUtf8;
    }

    byte[] referenceTypeUtf8() {
        return referenceTypeUtf8;
    }
}
