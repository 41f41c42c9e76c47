package io.billingbatch.topup;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
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
 * is a successful charge; a 4xx answer (or a request that never reached the endpoint) a decline;
 * anything that leaves open whether the provider charged (a timeout after the request was sent, a
 * connection lost, a 5xx answer, an interrupted wait) an unknown answer, asked again under the same key.
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
    public Answer charge(UUID accountId, long amountMicros, UUID idempotencyKey) {
        if (url.isBlank()) {
            return Answer.declined("no payment endpoint configured (billing.topup.payment-url)");
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
            int status = response.statusCode();
            String answer = "HTTP " + status + abbreviate(response.body());
            if (status / 100 == 2) {
                return Answer.charged();
            }
            return status / 100 == 5 ? Answer.unknown("payment answered " + answer) : Answer.declined("payment declined: " + answer);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return Answer.unknown("payment interrupted");
        }
        catch (ConnectException | HttpConnectTimeoutException ex) {
            return Answer.declined("payment failed: " + describe(ex)); // nothing reached the endpoint
        }
        catch (Exception ex) {
            return Answer.unknown("payment failed: " + describe(ex));
        }
    }

    private static String describe(Exception ex) {
        return ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : " " + ex.getMessage());
    }

    private static String abbreviate(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String line = body.strip().replaceAll("\\s+", " ");
        return " " + (line.length() > 120 ? line.substring(0, 120) + "..." : line);
    }
}
