/**
 * The {@code verify-seals} job. Nothing may slip past a seal: for a period it takes every seal of
 * every published reconciliation run whose range ended by the period's end (days and months, any
 * zone), reads the ledger rows of those ranges once (a hash aggregate per account and stretch
 * between range boundaries, no sort), and compares per range and account the row count, the digest
 * ({@code sum(ledger_row_digest)}, recomputed from the row's columns, not the row_digest column V29
 * stores: so a stored digest that disagreed would be found too) and the last posting before the
 * range's end (posting_seq and
 * snapshot) with what the reconciliation sealed. Each difference, and each account the ledger
 * has in a sealed range but the seal does not, is a {@code sealed_period_changed} finding. Stores
 * the summary and findings under the run, publishes them as the period's result (a re-run replaces
 * them) and writes {@code verify-seals-<period>.csv} and {@code .xlsx} with the manifest.
 */
package io.billingbatch.seals;
