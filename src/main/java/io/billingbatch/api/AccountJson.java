package io.billingbatch.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import io.billingbatch.ledger.BillingAccount;
import io.billingbatch.ledger.Money;

/** A billing account exactly in the document's JSON shape. */
final class AccountJson {

    /** The document's timestamps: {@code 2023-06-30 19:18:08.466742}, UTC. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    /** What the document shows for "not deleted". */
    static final String NOT_DELETED = "9999-01-01 00:00:00.000000";

    private AccountJson() {
    }

    static Map<String, Object> of(BillingAccount account) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", account.id().toString());
        json.put("customer_id", account.customerId().toString());
        json.put("name", text(account.name()));
        json.put("detail", text(account.detail()));
        json.put("balance", Money.toUsdJson(account.balance()));
        json.put("payment_type", text(account.paymentType()));
        json.put("payment_method", text(account.paymentMethod()));
        json.put("tm_create", timestamp(account.created(), ""));
        json.put("tm_update", timestamp(account.updated(), timestamp(account.created(), "")));
        json.put("tm_delete", timestamp(account.deleted(), NOT_DELETED));
        return json;
    }

    static String timestamp(Instant instant, String absent) {
        return instant == null ? absent : TIMESTAMP.format(instant);
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }
}
