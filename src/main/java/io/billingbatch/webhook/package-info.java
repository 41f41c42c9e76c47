/**
 * Webhook events: subscriptions in the document's shape ({@code name, uri, method, event_types}),
 * an outbox written in the same transaction as the balance change an event announces, and a
 * dispatcher that claims due rows with an expiring lease, POSTs them concurrently (a bounded pool,
 * a per-subscription limit of deliveries in flight) with an HMAC-SHA256 signature and an event id
 * header and no transaction open, records each outcome in a short transaction, retries with
 * exponential backoff and gives up into a dead-letter state after the last attempt.
 */
package io.billingbatch.webhook;
