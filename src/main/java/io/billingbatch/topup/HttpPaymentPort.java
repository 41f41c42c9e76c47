package io.billingbatch.topup;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import io.billingbatch.ledger.Money;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * POSTs {@code {"account_id", "amount", "currency", "idempotency_key"}} to the configured payment
 * endpoint ({@code billing.topup.payment-url}) with an {@code Idempotency-Key} header; a 2xx answer
 * is a successful charge, anything else (a decline, a timeout) a failed attempt.
 */
@Component
public class HttpPaymentPort implements PaymentPort {

    private final String url;

    private final Duration timeout;

    private final HttpClient http;

    public HttpPaymentPort(@Value("${billing.topup.payment-url:}") String url,
            @Value("${billing.topup.payment-timeout:10s}") Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public String charge(UUID accountId, long amountMicros, UUID idempotencyKey) {
        if (url.isBlank()) {
            return "no payment endpoint configured (billing.topup.payment-url)";
        }
        String body = "{\"account_id\":\"" + accountId + "\",\"amount\":" + Money.toUsd(amountMicros)
                + ",\"currency\":\"USD\",\"idempotency_key\":\"" + idempotencyKey + "\"}";
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", idempotencyKey.toString())
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() / 100 == 2 ? null
                    : "payment declined: HTTP " + response.statusCode() + abbreviate(response.body());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "payment interrupted";
        }
        catch (Exception ex) {
            return "payment failed: " + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : " " + ex.getMessage());
        }
    }

    private static String abbreviate(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String line = body.strip().replaceAll("\\s+", " ");
        return " " + (line.length() > 120 ? line.substring(0, 120) + "..." : line);
    }
}
