package io.billingbatch.webhook;

import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import io.billingbatch.ledger.Money;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Writes events into the outbox, one row per subscription that wants the event type. Call it in
 * the transaction that makes the change, so the event exists exactly when the change does.
 */
@Repository
public class WebhookOutbox {

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static final String ENQUEUE = """
            INSERT INTO webhook_outbox (event_id, subscription_id, event_type, payload)
            SELECT ?, s.id, ?, ?
            FROM webhook_subscriptions s
            WHERE s.tm_delete IS NULL AND ? = ANY (s.event_types) AND (s.customer_id IS NULL OR s.customer_id = ?)
            ON CONFLICT (event_id, subscription_id) DO NOTHING
            """;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcTemplate jdbc;

    public WebhookOutbox(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** @return how many deliveries were queued (one per interested subscription) */
    public int enqueue(BillingAccountEvent event) {
        return enqueue(event, Map.of());
    }

    /** As {@link #enqueue(BillingAccountEvent)}, with {@code extra} fields appended to the payload's data. */
    public int enqueue(BillingAccountEvent event, Map<String, Object> extra) {
        return jdbc.update(ENQUEUE, event.eventId(), event.eventType(), payload(event, extra), event.eventType(),
                event.customerId());
    }

    /** The document's payload: {@code {"event_type", "timestamp", "data": {id, customer_id, name, balance, previous_balance, change}}}. */
    static String payload(BillingAccountEvent event) {
        return payload(event, Map.of());
    }

    static String payload(BillingAccountEvent event, Map<String, Object> extra) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", event.accountId().toString());
        data.put("customer_id", event.customerId() == null ? null : event.customerId().toString());
        data.put("name", event.name());
        data.put("balance", usd(event.balance()));
        data.put("previous_balance", usd(event.previousBalance()));
        data.put("change", usd(event.change()));
        data.putAll(extra);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event_type", event.eventType());
        payload.put("timestamp", TIMESTAMP.format(event.timestamp()));
        payload.put("data", data);
        return JSON.writeValueAsString(payload);
    }

    private static BigDecimal usd(long micros) {
        return Money.toUsdJson(micros);
    }
}
