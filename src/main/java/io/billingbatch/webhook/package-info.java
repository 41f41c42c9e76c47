/**
 * Webhook events: subscriptions in the document's shape ({@code name, uri, method, event_types}),
 * an outbox written in the same transaction as the balance change an event announces, and a
 * dispatcher that POSTs each event with an HMAC-SHA256 signature and an event id header, retries
 * with exponential backoff and gives up into a dead-letter state after the last attempt.
 */
package io.billingbatch.webhook;
