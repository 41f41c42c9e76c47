package io.billingbatch.demo;

import java.nio.charset.StandardCharsets;

/** The kinds of ledger rows the demo writes, with their {@code transaction_type} and {@code reference_type}. */
enum DemoRowType {

    TOP_UP("top_up", "top_up", 0),
    CALL("usage", "call", 20_000),
    SMS("usage", "sms", 8_000),
    NUMBER("usage", "number", 5_000_000),
    NUMBER_RENEW("usage", "number_renew", 5_000_000);

    private final String transactionType;

    private final String referenceType;

    private final long ratePerUnit;

    private final byte[] transactionTypeUtf8;

    private final byte[] referenceTypeUtf8;

    DemoRowType(String transactionType, String referenceType, long ratePerUnit) {
        this.transactionType = transactionType;
        this.referenceType = referenceType;
        this.ratePerUnit = ratePerUnit;
        this.transactionTypeUtf8 = transactionType.getBytes(StandardCharsets.UTF_8);
        this.referenceTypeUtf8 = referenceType.getBytes(StandardCharsets.UTF_8);
    }

    String transactionType() {
        return transactionType;
    }

    String referenceType() {
        return referenceType;
    }

    /** The rate card of {@code billing_rates} (micro-USD per unit); 0 for credits. */
    long ratePerUnit() {
        return ratePerUnit;
    }

    byte[] transactionTypeUtf8() {
        return transactionTypeUtf8;
    }

    byte[] referenceTypeUtf8() {
        return referenceTypeUtf8;
    }
}
