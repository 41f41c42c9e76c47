/**
 * The HTTP side of billing-batch, started by the {@code serve} command: the document's
 * billing-account API, webhooks, auto top-up policies, job launch, finance downloads and the
 * finance page. Every request under {@code /v1.0} carries a token ({@code ?token=} or
 * {@code Authorization: Bearer}) whose role decides what it may do.
 */
package io.billingbatch.api;
