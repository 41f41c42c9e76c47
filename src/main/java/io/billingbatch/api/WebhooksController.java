package io.billingbatch.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.billingbatch.access.ApiAudit;
import io.billingbatch.access.ApiPrincipal;
import io.billingbatch.access.Role;
import io.billingbatch.webhook.WebhookSubscriptions.Subscription;
import io.billingbatch.webhook.WebhookSubscriptions;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Webhook subscriptions in the document's shape. A customer token manages its own customer's
 * subscriptions; an admin's apply to every customer unless the body names a {@code customer_id}.
 * The signing secret is returned once, when the subscription is created. A customer's receiver
 * must be a public address (no loopback, private or link-local targets); an admin may name any.
 */
@RestController
@RequestMapping("/v1.0/webhooks")
class WebhooksController {

    private final WebhookSubscriptions subscriptions;

    private final ApiAudit audit;

    WebhooksController(WebhookSubscriptions subscriptions, ApiAudit audit) {
        this.subscriptions = subscriptions;
        this.audit = audit;
    }

    /** The document's body, plus an optional {@code customer_id} for admins. */
    record WebhookRequest(String name, String uri, String method, @JsonProperty("event_types") List<String> eventTypes,
            @JsonProperty("customer_id") UUID customerId) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.OK)
    Map<String, Object> create(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestBody WebhookRequest request) {
        principal.require("creating a webhook", Role.ADMIN, Role.CUSTOMER);
        UUID customer = principal.role() == Role.CUSTOMER ? principal.customerId() : request.customerId();
        if (principal.role() == Role.CUSTOMER && request.customerId() != null && !request.customerId().equals(customer)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "permission_denied",
                    "permission denied: a customer token subscribes only to its own customer's events");
        }
        Subscription created = subscriptions.create(customer, request.name(), request.uri(), request.method(),
                request.eventTypes(), principal.role() == Role.CUSTOMER);
        audit.record(principal, "webhook.create", created.id().toString(), created.uri() + " " + created.eventTypes());
        Map<String, Object> json = json(created);
        json.put("secret", created.secret());
        return json;
    }

    @GetMapping
    Map<String, Object> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal) {
        principal.require("listing webhooks", Role.ADMIN, Role.CUSTOMER);
        List<Map<String, Object>> result = subscriptions.list(principal.role() == Role.CUSTOMER ? principal.customerId() : null)
                .stream().map(WebhooksController::json).toList();
        return Map.of("result", result);
    }

    @GetMapping("/{id}")
    Map<String, Object> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id) {
        principal.require("reading webhooks", Role.ADMIN, Role.CUSTOMER);
        return json(visible(principal, id));
    }

    @DeleteMapping("/{id}")
    Map<String, Object> delete(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable UUID id) {
        principal.require("deleting webhooks", Role.ADMIN, Role.CUSTOMER);
        Subscription subscription = visible(principal, id);
        subscriptions.delete(id);
        audit.record(principal, "webhook.delete", id.toString(), subscription.uri());
        return json(subscription);
    }

    private Subscription visible(ApiPrincipal principal, UUID id) {
        return subscriptions.find(id)
                .filter(found -> principal.role() != Role.CUSTOMER || principal.customerId().equals(found.customerId()))
                .orElseThrow(() -> ApiException.notFound("webhook " + id + " does not exist"));
    }

    private static Map<String, Object> json(Subscription subscription) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", subscription.id().toString());
        json.put("customer_id", subscription.customerId() == null ? "" : subscription.customerId().toString());
        json.put("name", subscription.name());
        json.put("uri", subscription.uri());
        json.put("method", subscription.method());
        json.put("event_types", subscription.eventTypes());
        return json;
    }
}
