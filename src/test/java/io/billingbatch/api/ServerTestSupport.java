package io.billingbatch.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import io.billingbatch.access.JdbcApiTokens;
import io.billingbatch.access.Role;
import io.billingbatch.ledger.TestClock;
import io.billingbatch.testing.ServerTest;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Base of the tests that talk to a running server over real HTTP, as {@code curl} would. All of
 * them share one application context ({@link ServerTest}: one server, one embedded PostgreSQL), so each
 * test makes its own accounts and tokens rather than assuming an empty database.
 */
@ServerTest
public abstract class ServerTestSupport {

    @Autowired
    protected TestClock clock;

    protected static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected JdbcApiTokens tokens;

    protected String token(Role role) {
        return tokens.create(role.word() + " test token", role, null).secret();
    }

    protected String customerToken(UUID customerId) {
        return tokens.create("customer test token", Role.CUSTOMER, customerId).secret();
    }

    protected URI uri(String pathAndQuery) {
        return URI.create("http://localhost:" + port + pathAndQuery);
    }

    protected Reply get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
    }

    protected Reply get(String pathAndQuery, String bearer) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).header("Authorization", "Bearer " + bearer).GET());
    }

    protected Reply post(String pathAndQuery, String json) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    protected Reply post(String pathAndQuery, String json, String bearer) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    protected Reply put(String pathAndQuery, String json, String bearer) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + bearer).PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    protected Reply delete(String pathAndQuery, String bearer) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).header("Authorization", "Bearer " + bearer).DELETE());
    }

    protected Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.body(), response);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** A response: status, raw bytes, and the body read as JSON on demand. */
    public record Reply(int status, byte[] bytes, HttpResponse<byte[]> response) {

        public String text() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            return JSON.readTree(bytes);
        }

        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }
}
